import { sampleEvent } from '@zupy/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { createCompany } from '../src/companies/create-company.js';
import { runInTransaction } from '../src/db/transaction.js';
import { recordEvent } from '../src/events/record-event.js';
import { createEndpoint } from '../src/webhooks/endpoint-store.js';
import { receiverPool } from './helpers/receiver.js';
import { makeClient, startTestServer, JOAO, type TestServer } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * Fairness across companies while the worker is full (issue 17 item 4): three companies' backlogs to
 * thirty slow endpoints (ten each, the most a company may have) fill every slot of
 * `ZUPY_MAX_IN_FLIGHT`; another company's fresh registration is claimed at the first or second slot
 * that frees (delivery-store.ts `claimOrder`: the least busy company first), not after a turn of each
 * of the thirty endpoints.
 */
const BUSY_COMPANIES = 3;
const BUSY_ENDPOINTS = 30;
const BACKLOG_EVENTS = 10;
const MAX_IN_FLIGHT = 2;

let server: TestServer;
const receivers = receiverPool();
afterEach(async () => {
  await receivers.closeAll();
  await server?.close();
});

describe('fairness across companies', () => {
  it(`with all ${MAX_IN_FLIGHT} slots taken by backlogs to ${BUSY_ENDPOINTS} endpoints of ${BUSY_COMPANIES} companies, another company's fresh event is sent within a few requests`, async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT) } });
    const ctx = server.runtime.ctx;
    // Answers 200 after 100 ms; its requests, in the order they arrived, say which endpoint each was for.
    const slow = await receivers.start(async () => {
      await new Promise((r) => setTimeout(r, 100));
      return { status: 200, body: 'ok' };
    });
    const arrivals = () => slow.requests.map((r) => r.url);
    const busy = [server.companyId];
    for (let c = 1; c < BUSY_COMPANIES; c++)
      busy.push((await createCompany(ctx.db, { name: `Busy ${c}` }, new Date())).company_id);
    for (let i = 0; i < BUSY_ENDPOINTS; i++)
      await createEndpoint(ctx, busy[i % BUSY_COMPANIES]!, {
        url: `${slow.url}/busy/${i}`,
        ordering: 'none',
      });
    const other = await createCompany(ctx.db, { name: 'Padaria Sol' }, new Date());
    await createEndpoint(ctx, other.company_id, { url: `${slow.url}/fresh`, ordering: 'none' });

    // The backlog: each event goes to each of its company's endpoints (300 deliveries, 15 s of work at
    // 2 in flight and 100 ms an answer).
    await runInTransaction(ctx.db, async (trx) => {
      for (let i = 0; i < BACKLOG_EVENTS * BUSY_COMPANIES; i++) {
        const event = sampleEvent('customer.registered', { companyId: busy[i % BUSY_COMPANIES]! });
        event.customer.member_id = `ZP-${i.toString(16).toUpperCase().padStart(8, '0')}`;
        await recordEvent(trx, event, new Date());
      }
    });
    server.runtime.worker?.wake();
    await waitUntil(() => (slow.requests.length >= 4 ? true : undefined), 20_000);
    expect(server.runtime.worker?.inFlightCount).toBeLessThanOrEqual(MAX_IN_FLIGHT);

    // The other company's member registers through the API while the backlog fills the worker.
    const res = await makeClient(server.url, other.api_key).post('/api/v2/customers/', JOAO);
    expect(res.status).toBe(201);
    const before = slow.requests.length;
    await waitUntil(() => (arrivals().includes('/fresh') ? true : undefined), 20_000);
    const busyBefore = arrivals().slice(before, arrivals().indexOf('/fresh')).length;
    // Claimed at the first or second claim after it committed (each claim takes one freed slot; a
    // busy company with nothing under way ties with it): at most the two slots' next requests and one
    // more went first. A rotation over the 31 endpoints let about 15 go first.
    expect(busyBefore).toBeLessThanOrEqual(MAX_IN_FLIGHT + 2);
    // The backlog was still there: the fresh event did not merely wait for it to drain.
    expect(slow.requests.length).toBeLessThan((BUSY_ENDPOINTS * BACKLOG_EVENTS) / 2);
  }, 60_000);
});
