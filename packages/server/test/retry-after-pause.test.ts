import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { receiverPool, type ReceivedRequest } from './helpers/receiver.js';
import { succeededCount } from './helpers/delivery-audit.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * A 429 or 503 with `Retry-After` pauses the whole endpoint, not only the delivery that got it: the
 * receiver sees nothing until the time it asked for, then a single request, then the rest.
 */
let server: TestServer;
const receivers = receiverPool();
afterEach(async () => {
  await receivers.closeAll();
  await server?.close();
});

const DELIVERIES = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Retry-After pauses the endpoint', () => {
  it.each([429, 503])(
    'a %i with Retry-After: 3 holds every delivery of the endpoint for 3 s, then one request goes alone',
    async (status) => {
      server = await startTestServer({
        worker: true,
        env: { ZUPY_RETRY_SCHEDULE: '0s,100ms,100ms,100ms,100ms' },
      });
      let pausedAt: number | null = null;
      let first: ReceivedRequest | null = null;
      let firstAnsweredAt: number | null = null;
      const r = await receivers.start(async (request, index) => {
        if (index === 0) {
          // Held until the worker's first requests have all arrived (nothing new for 200 ms): every
          // request sent before the worker heard the 429 is then here already, held open.
          for (let seen = -1; seen !== r.requests.length;) {
            seen = r.requests.length;
            await sleep(200);
          }
          pausedAt = Date.now();
          return { status, headers: { 'retry-after': '3' } };
        }
        if (pausedAt === null) {
          // The first requests: answered 200 a moment after the 429.
          await waitUntil(() => (pausedAt !== null ? true : undefined));
          await sleep(100);
          return { status: 200 };
        }
        if (pausedAt !== null && request.at > pausedAt + 2_000 && first === null) {
          // The first request after the pause: held a while, to see whether another comes meanwhile.
          first = request;
          await sleep(300);
          firstAnsweredAt = Date.now();
          return { status: 200 };
        }
        return { status: 200 };
      });
      const created = await server.api.post('/api/v2/webhooks/endpoints/', {
        url: r.url,
        events: ['customer.registered'],
        ordering: 'none',
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect(created.body.paused_until).toBeNull();
      // A backlog, held while the endpoint is disabled, then let go at once.
      await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${id}/`, { enabled: false });
      for (let i = 0; i < DELIVERIES; i++) {
        const res = await server.api.post('/api/v2/customers/', {
          phone: `11 96111-${String(i).padStart(4, '0')}`,
          name: `Paused ${i}`,
        });
        expect(res.status).toBe(201);
      }
      await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${id}/`, { enabled: true });

      // While paused, the endpoint says until when.
      const paused = await waitUntil(async () => {
        const res = await server.api.get(`/api/v2/webhooks/endpoints/${id}/`);
        return res.body.paused_until !== null ? res.body : undefined;
      });
      expect(pausedAt).not.toBeNull();
      const until = Date.parse(paused.paused_until as string);
      // API timestamps are to the second.
      expect(until).toBeGreaterThan(pausedAt! + 3_000 - 1_000);
      expect(until).toBeLessThan(pausedAt! + 3_000 + 1_000);

      await waitUntil(
        async () => ((await succeededCount(server.runtime.ctx.db)) === DELIVERIES ? true : undefined),
        20_000,
      );
      const at = pausedAt!;
      const after = r.requests.filter((q) => q.at > at);
      // Nothing reached the receiver during the pause, though the first requests' slots were free
      // 100 ms into it …
      expect(after.filter((q) => q.at < at + 3_000)).toEqual([]);
      // … then the first request after it went alone: the next came only once it was answered.
      expect(after[0]).toBe(first);
      expect(after[0]!.at).toBeLessThan(at + 3_000 + 1_500);
      expect(after[1]!.at).toBeGreaterThanOrEqual(firstAnsweredAt!);
      // Nothing lost: every event arrived, the one that got the 429 among them, sent again.
      const arrived = new Set(r.requests.slice(1).map((q) => q.headers['x-zupy-event-id']));
      expect(arrived.size).toBe(DELIVERIES);
      expect(arrived).toContain(r.requests[0]!.headers['x-zupy-event-id']);
      // The pause is over.
      const res = await server.api.get(`/api/v2/webhooks/endpoints/${id}/`);
      expect(res.body.paused_until).toBeNull();
    },
    40_000,
  );

  it('a 429 without Retry-After, or a 500 with one, pauses nothing: the other deliveries go on', async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_RETRY_SCHEDULE: '0s,2s,2s' } });
    const r = await receivers.start((_q, index) =>
      index === 0
        ? { status: 429 }
        : index === 1
          ? { status: 500, headers: { 'retry-after': '30' } }
          : { status: 200 },
    );
    const created = await server.api.post('/api/v2/webhooks/endpoints/', {
      url: r.url,
      events: ['customer.registered'],
    });
    for (let i = 0; i < 6; i++)
      await server.api.post('/api/v2/customers/', {
        phone: `11 96222-${String(i).padStart(4, '0')}`,
        name: `N ${i}`,
      });
    // The four others arrive before the two failed ones are tried again (2 s later): six first attempts.
    const got = await r.waitFor(6);
    expect(got.map((q) => q.headers['x-zupy-attempt'])).toEqual(['1', '1', '1', '1', '1', '1']);
    expect(new Set(got.map((q) => q.headers['x-zupy-delivery'])).size).toBe(6);
    const res = await server.api.get(`/api/v2/webhooks/endpoints/${created.body.id}/`);
    expect(res.body.paused_until).toBeNull();
  });
});
