import { sampleEvent } from '@zupy/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { createCompany } from '../src/companies/create-company.js';
import { runInTransaction } from '../src/db/transaction.js';
import { recordEvent } from '../src/events/record-event.js';
import { createEndpoint } from '../src/webhooks/endpoint-store.js';
import { succeededCount } from './helpers/delivery-audit.js';
import { receiverPool } from './helpers/receiver.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * Endpoints of different companies at one host (a CRM or WhatsApp tool they all use) each get their
 * own in-flight limit: the keep-alive pool of that origin does not cap them together at one
 * endpoint's `ZUPY_ENDPOINT_MAX_IN_FLIGHT` (it did: 64 requests at once for every company on the
 * host, whatever their number).
 */
const COMPANIES = 3;
const PER_ENDPOINT = 2;
const EVENTS_EACH = 12;

let server: TestServer;
const receivers = receiverPool();
afterEach(async () => {
  await receivers.closeAll();
  await server?.close();
});

describe('endpoints sharing an origin', () => {
  it(`${COMPANIES} companies' endpoints at one host, ${PER_ENDPOINT} in flight each: ${COMPANIES * PER_ENDPOINT} requests at once, not ${PER_ENDPOINT}`, async () => {
    // Answers 200 after 150 ms, counting the requests it holds, in all and per endpoint (path).
    let open = 0;
    let most = 0;
    const byPath = new Map<string, number>();
    let mostOnePath = 0;
    const receiver = await receivers.start(async ({ url: path }) => {
      open++;
      most = Math.max(most, open);
      byPath.set(path, (byPath.get(path) ?? 0) + 1);
      mostOnePath = Math.max(mostOnePath, byPath.get(path)!);
      await new Promise((r) => setTimeout(r, 150));
      open--;
      byPath.set(path, byPath.get(path)! - 1);
      return { status: 200, body: 'ok' };
    });
    const url = receiver.url;
    server = await startTestServer({
      worker: true,
      env: {
        ZUPY_ENDPOINT_MIN_IN_FLIGHT: String(PER_ENDPOINT),
        ZUPY_ENDPOINT_MAX_IN_FLIGHT: String(PER_ENDPOINT),
      },
    });
    const ctx = server.runtime.ctx;
    const companies = [server.companyId];
    for (let c = 1; c < COMPANIES; c++)
      companies.push((await createCompany(ctx.db, { name: `Cliente ${c}` }, new Date())).company_id);
    for (const [c, companyId] of companies.entries())
      await createEndpoint(ctx, companyId, { url: `${url}/hooks/${c}`, ordering: 'none' });
    await runInTransaction(ctx.db, async (trx) => {
      for (let i = 0; i < EVENTS_EACH * COMPANIES; i++) {
        const event = sampleEvent('customer.registered', { companyId: companies[i % COMPANIES]! });
        event.customer.member_id = `ZP-${i.toString(16).toUpperCase().padStart(8, '0')}`;
        await recordEvent(trx, event, new Date());
      }
    });
    server.runtime.worker?.wake();
    await waitUntil(
      async () => ((await succeededCount(ctx.db)) === EVENTS_EACH * COMPANIES ? true : undefined),
      30_000,
    );
    // Each endpoint stayed within its own limit, and together they went past it.
    expect(mostOnePath).toBe(PER_ENDPOINT);
    expect(most).toBe(COMPANIES * PER_ENDPOINT);
  }, 60_000);
});
