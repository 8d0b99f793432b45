import type SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tables } from '../src/db/tables.js';
import { listDeliveries } from '../src/delivery/delivery-queries.js';
import { countDeliveries } from '../src/app/metrics-routes.js';
import { overviewStats } from '../src/overview/overview-stats.js';
import { registerInTransaction, validateRegistration } from '../src/customers/register-customer.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { onPostgres } from './helpers/test-database.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await server?.close();
  await receiver?.close();
  server = receiver = undefined;
});

/**
 * How the overview may reach each table: bounded by time, by a partial index (the queue, the
 * failures) or by a unique key. The company's customers are counted in an index alone (they are the
 * loyalty program, not the log). Anything else — a scan, or a search by company over the whole log —
 * grows with every delivered webhook.
 */
const OVERVIEW_ACCESS = [
  /^SEARCH customers USING COVERING INDEX customers_live_company_tier \(company_id=\?\)$/,
  /^SEARCH events USING COVERING INDEX events_company_created \(company_id=\? AND created_at>\? AND created_at<\?\)$/,
  /^SEARCH a USING INDEX delivery_attempts_started \(started_at>\?\)$/,
  /^SEARCH d USING INDEX sqlite_autoindex_deliveries_1 \(id=\?\)$/,
  /^SEARCH deliveries USING INDEX deliveries_failed \(endpoint_id=\? AND updated_at>\?\)$/,
  /^SEARCH deliveries USING COVERING INDEX deliveries_endpoint_due \(endpoint_id=\? AND next_attempt_at>\?\)$/,
  /^SEARCH webhook_endpoints USING INDEX webhook_endpoints_company \(company_id=\?\)$/,
  /^USE TEMP B-TREE FOR /,
];

/** Runs `work` against a Kysely that records every statement, on the server's own connection. */
async function recording(
  server: TestServer,
  work: (db: Kysely<Tables>) => Promise<unknown>,
): Promise<{ sqlite: SQLite.Database; queries: CompiledQuery[] }> {
  const sqlite = await server.runtime.database.sqlite!.run((connection) => connection);
  const queries: CompiledQuery[] = [];
  // Not destroyed: it shares the server's connection, which the server closes.
  const db = new Kysely<Tables>({
    dialect: new SqliteDialect({ database: sqlite }),
    log: (event) => {
      if (event.level === 'query') queries.push(event.query);
    },
  });
  await work(db);
  return { sqlite, queries };
}

function plansOf(sqlite: SQLite.Database, queries: CompiledQuery[]): string[] {
  return queries.flatMap((query) =>
    (
      sqlite.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as {
        detail: string;
      }[]
    ).map((step) => step.detail),
  );
}

/**
 * Reads that come back on every page view or scrape go through indexes, never a scan of the log:
 * at a million deliveries a scan blocked SQLite's event loop for 0.3 s (`/metrics`) to 4 s (the
 * overview), stalling every API request and delivery of the process meanwhile.
 */
describe.skipIf(onPostgres)('reads of the delivery log are index searches', () => {
  it('the overview', async () => {
    server = await startTestServer({ worker: true });
    receiver = await startReceiver();
    await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url });
    await server.api.post('/api/v2/customers/', JOAO);
    await receiver.waitFor(1);
    // The attempt is recorded a moment after the receiver has it.
    await expect
      .poll(
        async () =>
          (await overviewStats(server!.runtime.ctx.db, server!.companyId, new Date())).endpoints[0]!
            .attempts_24h,
      )
      .toBe(1);
    const { sqlite, queries } = await recording(server, async (db) => {
      const stats = await overviewStats(db, server!.companyId, new Date());
      // The statements recorded are the ones that computed this.
      expect(stats.days.at(-1)!.registrations).toBe(1);
      expect(stats.endpoints[0]!.attempts_24h).toBe(1);
    });
    const plans = plansOf(sqlite, queries);
    expect(plans.length).toBeGreaterThan(OVERVIEW_ACCESS.length);
    expect(plans.filter((step) => !OVERVIEW_ACCESS.some((allowed) => allowed.test(step)))).toEqual([]);
  });

  it('/metrics', async () => {
    server = await startTestServer();
    const { sqlite, queries } = await recording(server, async (db) => {
      for (const status of ['pending', 'failed'] as const) await countDeliveries(db, status);
    });
    const plans = plansOf(sqlite, queries);
    expect(plans).toEqual([
      expect.stringMatching(/^SEARCH deliveries USING COVERING INDEX deliveries_due \(next_attempt_at>\?\)$/),
      expect.stringMatching(/^SCAN deliveries USING COVERING INDEX deliveries_(company_)?failed\b/),
    ]);
  });

  it('the delivery log filtered to failures', async () => {
    server = await startTestServer();
    const { sqlite, queries } = await recording(server, async (db) => {
      await listDeliveries({ db, cursors: server!.runtime.ctx.cursors }, server!.companyId, {
        status: 'failed',
        pageSize: 20,
      });
    });
    // Newest first through the partial index of failures: a page costs the failures, not the log;
    // each row's endpoint (held or not) and predecessor (waiting_for) by primary key.
    expect(plansOf(sqlite, queries)).toEqual([
      expect.stringMatching(/^SEARCH deliveries USING INDEX deliveries_company_failed \(company_id=\?\)$/),
      expect.stringMatching(
        /^SEARCH ep USING INDEX sqlite_autoindex_webhook_endpoints_1 \(id=\?\) LEFT-JOIN$/,
      ),
      expect.stringMatching(/^SEARCH before USING INTEGER PRIMARY KEY \(rowid=\?\) LEFT-JOIN$/),
    ]);
  });

  it('a registration finds its match by index, whatever the number of customers', async () => {
    server = await startTestServer();
    for (let i = 0; i < 3; i++) {
      await server.api.post('/api/v2/customers/', { phone: `11 95555-000${i}`, name: `Other ${i}` });
    }
    const { sqlite, queries } = await recording(server, async (db) => {
      const result = await registerInTransaction(
        db,
        server!.runtime.ctx,
        server!.companyId,
        validateRegistration(JOAO),
      );
      expect(result.created).toBe(true);
    });
    // Every read of customers is an index search on the value sought (phone, CPF, e-mail, member
    // id): a scan of the company's customers would grow with each one enrolled.
    const customerSteps = plansOf(sqlite, queries).filter((step) => /\bcustomers\b/.test(step));
    expect(customerSteps.length).toBeGreaterThan(0);
    expect(
      customerSteps.filter(
        (step) =>
          !/^SEARCH customers USING INDEX (customers_company_(whatsapp|cpf|email) \(company_id=\? AND (whatsapp|cpf|email)=\?\)|sqlite_autoindex_customers_\d \(member_id=\?\))/.test(
            step,
          ),
      ),
    ).toEqual([]);
  });
});
