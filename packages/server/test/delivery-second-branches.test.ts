import { afterEach, describe, expect, it } from 'vitest';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';
import { receiverPool, type ReceivedRequest } from './helpers/receiver.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * The second branch of delivery rules that delivery.test.ts tries once on its first branch: a 503's
 * Retry-After (not only a 429's), a success ending a failure streak, a redelivered series that fails
 * again, and test sends, which the running worker never touches.
 */
let server: TestServer;
const receivers = receiverPool();
afterEach(async () => {
  await receivers.closeAll();
  await server?.close();
});

const receiver = receivers.start;

async function endpoint(url: string): Promise<{ id: string }> {
  const res = await server.api.post('/api/v2/webhooks/endpoints/', { url });
  expect(res.status).toBe(201);
  return res.body;
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

  it('a redelivered series that fails again gets the whole retry schedule again, then fails', async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_RETRY_SCHEDULE: '0s,200ms,200ms' } });
    const r = await receiver(() => ({ status: 500 }));
    await endpoint(r.url);
    await server.api.post('/api/v2/customers/', JOAO);
    const [first] = await r.waitFor(3);
    const id = deliveryOf(first!);
    expect((await deliveryWhen(id, 'failed')).attempts_count).toBe(3);
    const again = await server.api.post(`/api/v2/webhooks/deliveries/${id}/redeliver/`);
    expect(again.status).toBe(202);
    const failed = await waitUntil(async () => {
      const res = await server.api.get(`/api/v2/webhooks/deliveries/${id}/`);
      return res.body.status === 'failed' && res.body.attempts_count > 3 ? res.body : undefined;
    });
    // Three attempts again, on the schedule, counting up; then given up, with no next attempt.
    expect(failed.attempts_count).toBe(6);
    expect(failed.next_attempt_at).toBeNull();
    expect(r.requests.map((q) => q.headers['x-zupy-attempt'])).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(new Set(r.requests.map(deliveryOf))).toEqual(new Set([id]));
    expect(r.requests[4]!.at - r.requests[3]!.at).toBeGreaterThanOrEqual(190);
    expect(r.requests[5]!.at - r.requests[4]!.at).toBeGreaterThanOrEqual(190);
  });

  it('the running worker leaves test sends alone: one attempt each, failed or not, never retried', async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_RETRY_SCHEDULE: '0s,100ms,100ms' } });
    let answer = 200;
    const r = await receiver(() => ({ status: answer }));
    const ep = await endpoint(r.url);
    const testSend = async () => {
      const res = await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/test/`, {});
      expect(res.status).toBe(200);
      return res.body as { success: boolean; delivery_id: string };
    };
    const passed = await testSend();
    answer = 500;
    const failedSend = await testSend();
    expect([passed.success, failedSend.success]).toEqual([true, false]);
    // A customer event failing on the same endpoint at the same time runs through the whole schedule:
    // by the time it has failed, the worker went round as often as a retried test send would need.
    await server.api.post('/api/v2/customers/', JOAO);
    const event = await waitUntil(async () => {
      const res = await server.api.get(`/api/v2/webhooks/deliveries/?status=failed`);
      return res.body.data.find((d: { test: boolean }) => !d.test);
    });
    expect(event.attempts_count).toBe(3);
    const sent = (id: string) => r.requests.filter((q) => deliveryOf(q) === id).length;
    expect([sent(passed.delivery_id), sent(failedSend.delivery_id), sent(event.id)]).toEqual([1, 1, 3]);
    for (const [send, status] of [
      [passed, 'succeeded'],
      [failedSend, 'failed'],
    ] as const) {
      const logged = (await server.api.get(`/api/v2/webhooks/deliveries/${send.delivery_id}/`)).body;
      expect(logged).toMatchObject({ status, test: true, attempts_count: 1, next_attempt_at: null });
    }
  });
});
