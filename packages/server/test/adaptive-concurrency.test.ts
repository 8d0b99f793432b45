import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sampleEvent } from '@zupy/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { runInTransaction } from '../src/db/transaction.js';
import { recordEvent } from '../src/events/record-event.js';
import { createEndpoint } from '../src/webhooks/endpoint-store.js';
import { succeededCount } from './helpers/delivery-audit.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * The adaptive in-flight limit per endpoint (delivery/concurrency-limit.ts) against a receiver that
 * allows 4 requests in flight and answers 429 (without Retry-After) beyond: the worker learns the
 * limit, the 429s become rare, and nothing is lost.
 */
const EVENTS = 600;
const ALLOWED = 4;

let server: TestServer;
let receiver: http.Server | undefined;
afterEach(async () => {
  receiver?.closeAllConnections();
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  await server?.close();
});

interface Answer {
  event: string;
  status: number;
}

/** Answers 200 in 20 ms to at most `allowed` requests at once, 429 at once to any beyond. */
async function startLimitedReceiver(allowed: number) {
  const answers: Answer[] = [];
  let inFlight = 0;
  let most = 0;
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const event = String(req.headers['x-zupy-event-id']);
      if (inFlight >= allowed) {
        answers.push({ event, status: 429 });
        res.writeHead(429).end();
        return;
      }
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        answers.push({ event, status: 200 });
        res.writeHead(200).end('ok');
      }, 20);
    });
  });
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, answers, most: () => most };
}

describe('adaptive concurrency per endpoint', () => {
  it('a receiver that allows 4 in flight and answers 429 beyond: the limit converges, later 429s are rare, nothing is lost', async () => {
    server = await startTestServer({
      worker: true,
      env: { ZUPY_RETRY_SCHEDULE: '0s,200ms,200ms,200ms,200ms,200ms,200ms,200ms' },
    });
    const limited = await startLimitedReceiver(ALLOWED);
    const { ctx, companyId } = { ctx: server.runtime.ctx, companyId: server.companyId };
    const endpoint = await createEndpoint(ctx, companyId, { url: limited.url, ordering: 'none' });
    await runInTransaction(ctx.db, async (trx) => {
      for (let i = 0; i < EVENTS; i++) {
        const event = sampleEvent('customer.registered', { companyId });
        event.customer.member_id = `ZP-${i.toString(16).toUpperCase().padStart(8, '0')}`;
        await recordEvent(trx, event, new Date());
      }
    });
    await waitUntil(async () => ((await succeededCount(ctx.db)) === EVENTS ? true : undefined), 60_000);

    // Nothing lost: every event was answered 200, none failed.
    const answers = limited.answers;
    const delivered = new Set(answers.filter((a) => a.status === 200).map((a) => a.event));
    expect(delivered.size).toBe(EVENTS);
    const failed = await ctx.db
      .selectFrom('deliveries')
      .select('id')
      .where('status', '!=', 'succeeded')
      .execute();
    expect(failed).toEqual([]);
    // The first requests overshoot the receiver; in the second half of the run a 429 is rare.
    const rejected = (list: readonly Answer[]) => list.filter((a) => a.status === 429).length;
    const later = answers.slice(Math.floor(answers.length / 2));
    expect(rejected(answers)).toBeGreaterThan(0);
    expect(rejected(later) / later.length).toBeLessThan(0.02);
    expect(limited.most()).toBe(ALLOWED);

    // The limit it settled on: in /metrics and on the endpoint.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const line = metrics
      .split('\n')
      .find((l) => l.startsWith(`zupy_endpoint_concurrency_limit{endpoint="${endpoint.id}"}`));
    expect(line).toBeDefined();
    const limit = Number(line!.split(' ').at(-1));
    expect(limit).toBeGreaterThanOrEqual(1);
    expect(limit).toBeLessThanOrEqual(ALLOWED + 1);
    const view = await waitUntil(async () => {
      const res = await server.api.get(`/api/v2/webhooks/endpoints/${endpoint.id}/`);
      return res.body.concurrency_limit === limit ? res.body : undefined;
    });
    expect(view.concurrency_limit).toBe(limit);
  }, 90_000);

  it('stays within ZUPY_ENDPOINT_MAX_IN_FLIGHT, and a fast receiver gets it', async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_ENDPOINT_MAX_IN_FLIGHT: '3' } });
    const limited = await startLimitedReceiver(1_000);
    const { ctx, companyId } = { ctx: server.runtime.ctx, companyId: server.companyId };
    const endpoint = await createEndpoint(ctx, companyId, { url: limited.url, ordering: 'none' });
    await runInTransaction(ctx.db, async (trx) => {
      for (let i = 0; i < 100; i++) {
        const event = sampleEvent('customer.registered', { companyId });
        event.customer.member_id = `ZP-${i.toString(16).toUpperCase().padStart(8, '0')}`;
        await recordEvent(trx, event, new Date());
      }
    });
    await waitUntil(async () => ((await succeededCount(ctx.db)) === 100 ? true : undefined), 30_000);
    expect(limited.most()).toBe(3);
    const view = await waitUntil(async () => {
      const res = await server.api.get(`/api/v2/webhooks/endpoints/${endpoint.id}/`);
      return res.body.concurrency_limit !== null ? res.body : undefined;
    });
    expect(view.concurrency_limit).toBe(3);
  }, 60_000);
});
