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
});
