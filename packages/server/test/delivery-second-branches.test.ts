import { afterEach, describe, expect, it } from 'vitest';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';
import { startReceiver, type ReceivedRequest, type Receiver } from './helpers/receiver.js';

/**
 * The second branch of delivery rules that delivery.test.ts tries once on its first branch: a 503's
 * Retry-After (not only a 429's), a success ending a failure streak, a redelivered series that fails
 * again, and test sends, which the running worker never touches.
 */
let server: TestServer;
const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await server?.close();
});

async function receiver(respond?: Receiver['respond']): Promise<Receiver> {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}

async function endpoint(url: string): Promise<{ id: string }> {
  const res = await server.api.post('/api/v2/webhooks/endpoints/', { url });
  expect(res.status).toBe(201);
  return res.body;
}

async function waitUntil<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function deliveryWhen(id: string, status: string) {
  return waitUntil(async () => {
    const res = await server.api.get(`/api/v2/webhooks/deliveries/${id}/`);
    return res.body.status === status ? res.body : undefined;
  });
}

const deliveryOf = (r: ReceivedRequest) => String(r.headers['x-zupy-delivery']);

describe('delivery rules on their second branch', () => {
  it('honours Retry-After on 503 as on 429, and not on 500', async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_RETRY_SCHEDULE: '0s,100ms,100ms' } });
    const unavailable = await receiver((_req, i) =>
      i === 0 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 200 },
    );
    const erroring = await receiver((_req, i) =>
      i === 0 ? { status: 500, headers: { 'retry-after': '2' } } : { status: 200 },
    );
    await endpoint(unavailable.url);
    await endpoint(erroring.url);
    await server.api.post('/api/v2/customers/', JOAO);
    const [e1, e2] = await erroring.waitFor(2);
    const [u1, u2] = await unavailable.waitFor(2);
    // The same event, both retried: the 503 after its Retry-After, the 500 on the 100 ms schedule.
    expect(u2!.at - u1!.at).toBeGreaterThanOrEqual(2000);
    expect(e2!.at - e1!.at).toBeLessThan(1500);
    await deliveryWhen(deliveryOf(u1!), 'succeeded');
  });

  it('a success ends the failure streak: fail, recover, fail again past the period is not disabled; the new streak counts from its own first failure', async () => {
    server = await startTestServer({
      worker: true,
      env: { ZUPY_RETRY_SCHEDULE: '0s,1200ms,100ms', ZUPY_ENDPOINT_DISABLE_AFTER: '1s' },
    });
    // Each event fails its first attempt and succeeds on its retry, while `failing` is off.
    let failing = false;
    const r = await receiver((req) =>
      failing || req.headers['x-zupy-attempt'] === '1' ? { status: 500 } : { status: 200 },
    );
    const ep = await endpoint(r.url);
    const failingSince = async () =>
      (
        await server.runtime.ctx.db
          .selectFrom('webhook_endpoints')
          .select('failing_since')
          .where('id', '=', ep.id)
          .executeTakeFirstOrThrow()
      ).failing_since;
    await server.api.post('/api/v2/customers/', JOAO);
    const [first] = await r.waitFor(2);
    await deliveryWhen(deliveryOf(first!), 'succeeded');
    expect(await failingSince()).toBeNull();
    // The retry waited longer than the period, so the next failure comes past it since the first
    // one: a new streak, not disabled.
    await server.api.post('/api/v2/customers/', { phone: '11 90000-2222', name: 'Second' });
    const [, , again] = await r.waitFor(3);
    const second = await deliveryWhen(deliveryOf(again!), 'succeeded');
    expect(second.attempts.map((a: { response_status: number }) => a.response_status)).toEqual([500, 200]);
    let view = (await server.api.get(`/api/v2/webhooks/endpoints/${ep.id}/`)).body;
    expect(view).toMatchObject({ enabled: true, disabled_reason: null });
    expect(await failingSince()).toBeNull();
    // A streak that does last the period disables it, counted from its own first failure.
    failing = true;
    const streakStart = Date.now();
    await server.api.post('/api/v2/customers/', { phone: '11 90000-3333', name: 'Third' });
    view = await waitUntil(async () => {
      const res = await server.api.get(`/api/v2/webhooks/endpoints/${ep.id}/`);
      return res.body.enabled === false ? res.body : undefined;
    });
    expect(Date.now() - streakStart).toBeGreaterThanOrEqual(1000);
    expect(view.disabled_code).toBe('failure_streak');
    expect(Date.parse(String(await failingSince()))).toBeGreaterThanOrEqual(streakStart - 5);
  });
});
