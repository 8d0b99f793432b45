import { waitUntil } from './helpers/wait-until.js';
import type http from 'node:http';
import { verifySignature } from '@zupy/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { startReceiver, type Receiver, type Reply } from './helpers/receiver.js';

/**
 * Receivers that misbehave the way real ones do. Each case ends the same way: every accepted event
 * is delivered at least once, with bytes that still verify, and the log says what went wrong.
 */
const EVENTS = 8;
const TIMEOUT_MS = 600;

let server: TestServer;
let receiver: Receiver;
afterEach(async () => {
  await receiver?.close();
  await server?.close();
});

const ok: Reply = { status: 200, body: '{"received":true}' };

async function register(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await server.api.post('/api/v2/customers/', {
      phone: `11 96543-${String(i).padStart(4, '0')}`,
      name: `Fault ${i}`,
    });
    expect(res.status).toBe(201);
  }
}

interface DeliveryView {
  id: string;
  status: string;
  event_id: string;
  attempts: { response_status: number | null; error: string | null; response_body: string | null }[];
}

/** Waits until every delivery of the company succeeded; returns them with their attempts. */
async function allSucceeded(count: number, timeoutMs = 25_000): Promise<DeliveryView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await server.api.get('/api/v2/webhooks/deliveries/?status=succeeded&page_size=100');
    if (res.body.data.length === count) {
      return Promise.all(
        (res.body.data as { id: string }[]).map(
          async (d) => (await server.api.get(`/api/v2/webhooks/deliveries/${d.id}/`)).body as DeliveryView,
        ),
      );
    }
    if (Date.now() > deadline) throw new Error(`${res.body.data.length} of ${count} deliveries succeeded`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every event reached the receiver, signed over bytes that arrived intact. */
async function expectEveryEventArrivedIntact(secret: string): Promise<void> {
  const events = (await server.api.get('/api/v2/events/?page_size=100')).body.data as { id: string }[];
  expect(events).toHaveLength(EVENTS);
  const arrived = new Set<string>();
  for (const request of receiver.requests) {
    expect(() => verifySignature({ body: request.body, headers: request.headers, secret })).not.toThrow();
    arrived.add(String(request.headers['webhook-id']));
  }
  for (const event of events) expect(arrived).toContain(event.id);
}

async function start(respond: Receiver['respond'], schedule = '0s,150ms,150ms,150ms,150ms,150ms') {
  receiver = await startReceiver(respond);
  server = await startTestServer({
    worker: true,
    env: { ZUPY_DELIVERY_TIMEOUT: `${TIMEOUT_MS}ms`, ZUPY_RETRY_SCHEDULE: schedule },
  });
  const res = await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url });
  expect(res.status).toBe(201);
  return res.body as { id: string; secret: string };
}

/** The first `times` requests of each delivery get `fault`; later ones are answered 200. */
function faultyFirst(times: number, fault: Reply): Receiver['respond'] {
  const seen = new Map<string, number>();
  return (request) => {
    const id = String(request.headers['webhook-id']);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n <= times ? fault : ok;
  };
}

describe('receivers that misbehave', () => {
  it('resets the connection: retried, then delivered', async () => {
    const { secret } = await start(faultyFirst(2, 'reset'));
    await register(EVENTS);
    const deliveries = await allSucceeded(EVENTS);
    for (const d of deliveries) {
      expect(d.attempts).toHaveLength(3);
      expect(d.attempts.filter((a) => a.error === 'connection reset by the receiver')).toHaveLength(2);
    }
    await expectEveryEventArrivedIntact(secret);
  });

  it('never answers: each attempt ends at the delivery timeout, then delivered', async () => {
    const { secret } = await start(faultyFirst(1, 'hang'));
    await register(EVENTS);
    const deliveries = await allSucceeded(EVENTS);
    for (const d of deliveries) {
      expect(d.attempts).toHaveLength(2);
      expect(d.attempts.some((a) => a.error === `no answer within ${TIMEOUT_MS} ms`)).toBe(true);
    }
    await expectEveryEventArrivedIntact(secret);
  });

  it('trickles its headers a byte at a time: cut at the timeout, then delivered', async () => {
    const timers = new Set<NodeJS.Timeout>();
    const trickle: Reply = {
      raw: (req: http.IncomingMessage) => {
        const text = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-padding: ' + 'a'.repeat(200);
        let i = 0;
        const timer = setInterval(() => {
          if (i >= text.length || req.socket.destroyed) return clearInterval(timer);
          req.socket.write(text[i++]!);
        }, 20);
        timers.add(timer);
      },
    };
    try {
      const { secret } = await start(faultyFirst(1, trickle));
      await register(EVENTS);
      const deliveries = await allSucceeded(EVENTS);
      for (const d of deliveries) {
        expect(d.attempts[0]).toMatchObject({
          response_status: null,
          error: `no answer within ${TIMEOUT_MS} ms`,
        });
        expect(d.attempts).toHaveLength(2);
      }
      await expectEveryEventArrivedIntact(secret);
    } finally {
      for (const timer of timers) clearInterval(timer);
    }
  });

  it('answers 200 with a 50 MB body: success, 4 KB kept, the rest never downloaded', async () => {
    let written = 0;
    const huge: Reply = {
      raw: (_req, res: http.ServerResponse) => {
        const chunk = Buffer.alloc(64 * 1024, 'z');
        const total = 50 * 1024 * 1024;
        let sent = 0;
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(total) });
        const pump = () => {
          while (sent < total && !res.destroyed) {
            sent += chunk.length;
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (sent >= total) res.end();
        };
        pump();
      },
    };
    const { secret } = await start(() => huge);
    await register(EVENTS);
    const deliveries = await allSucceeded(EVENTS);
    for (const d of deliveries) {
      expect(d.attempts).toHaveLength(1);
      expect(d.attempts[0]!.response_status).toBe(200);
      expect(Buffer.byteLength(d.attempts[0]!.response_body ?? '')).toBe(4096);
    }
    // The worker dropped each connection after the excerpt instead of reading 8 × 50 MB.
    expect(written).toBeLessThan((EVENTS * 50 * 1024 * 1024) / 4);
    await expectEveryEventArrivedIntact(secret);
  });

  it('is down for a while and comes back: retries carry every event through', async () => {
    const { secret } = await start(() => ok, '0s,300ms,600ms,1s,2s,4s');
    await receiver.goDown();
    await register(EVENTS);
    // Until every delivery has failed against the closed port at least twice (a first attempt and a
    // retry), read from the log rather than waited for by the clock.
    await waitUntil(async () => {
      const res = await server.api.get('/api/v2/webhooks/deliveries/?page_size=100');
      const rows = res.body.data as { attempts_count: number }[];
      return rows.length === EVENTS && rows.every((d) => d.attempts_count >= 2) ? true : undefined;
    });
    expect(receiver.requests).toHaveLength(0);
    await receiver.listenAgain();
    const deliveries = await allSucceeded(EVENTS);
    for (const d of deliveries) {
      expect(d.attempts.length).toBeGreaterThan(1);
      expect(d.attempts[0]).toMatchObject({
        response_status: null,
        error: 'connection refused',
        error_code: 'connection_refused',
        error_params: null,
      });
    }
    await expectEveryEventArrivedIntact(secret);
  });
});
