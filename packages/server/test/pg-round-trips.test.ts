import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
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
 * Every statement node-postgres sends while `work` runs, in this process: each `query` is one round
 * trip to PostgreSQL (the driver does not pipeline), `begin` and `commit` included.
 */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with its client as `this`
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text: string };
    sent.push(typeof first === 'string' ? first : first.text);
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = query;
  }
  return sent;
}

/**
 * Round trips per request on PostgreSQL, counted, so that they cannot creep back: each one costs the
 * request a wait on the network and PostgreSQL a statement of CPU (issue 16). Written out as the
 * statements' first words, so a failure shows what was added.
 */
describe.runIf(onPostgres)('round trips to PostgreSQL per request', () => {
  async function serverWithEndpoint(): Promise<TestServer> {
    server = await startTestServer();
    receiver = await startReceiver();
    await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url });
    return server;
  }
  const heads = (sent: string[]) => sent.map((s) => s.trim().split(/\s+/).slice(0, 4).join(' '));

  it('a new registration, with its welcome points, event and delivery, and its audit entry', async () => {
    const { api } = await serverWithEndpoint();
    let status = 0;
    const sent = await statementsOf(async () => {
      status = (await api.post('/api/v2/customers/', JOAO)).status;
    });
    expect(status).toBe(201);
    // Was 21 (15 statements, 2 transactions and a NOTIFY of its own); 14 before the audit entry was written
    // with its change (16 now: its insert, and its removal from audit_pending when chained).
    expect(heads(sent)).toEqual([
      'select "id", "company_id", "read_only",',
      'begin; savepoint one_transaction',
      // The match by phone, CPF and e-mail, and the program: one statement.
      'select "c".*, (select "program"',
      // Its member id drawn in the insert (on conflict do nothing), its first event counted in it.
      'insert into "customers" ("member_id",',
      'insert into "ledger_entries" ("company_id",',
      'insert into "events" ("id",',
      'select "id", "events", "ordering"',
      'insert into "deliveries" ("id",',
      // The audit entry, committed with the change (audit/audit-scope.ts).
      'insert into "audit_pending" ("id",',
      // The delivery workers of other processes are told in the commit.
      'release one_transaction; notify zupy_deliveries;',
      // The audit entry, chained once the answer is decided (audit/audit-hook.ts): in a transaction
      // apart, with the other entries that arrive meanwhile (audit/append-audit.ts), taken out of
      // audit_pending, where the change's transaction wrote it.
      'begin',
      'select "id" from "companies"',
      'delete from "audit_pending" where',
      'select "hash" from "audit_log"',
      'insert into "audit_log" ("company_id",',
      'commit',
    ]);
  });

  it('a registration that matches an enrolled customer', async () => {
    const { api } = await serverWithEndpoint();
    await api.post('/api/v2/customers/', JOAO);
    let status = 0;
    const sent = await statementsOf(async () => {
      status = (await api.post('/api/v2/customers/', JOAO)).status;
    });
    expect(status).toBe(200);
    // Was 10.
    expect(heads(sent)).toEqual([
      'select "id", "company_id", "read_only",',
      'begin; savepoint one_transaction',
      'select "c".*, (select "program"',
      // The audit entry, committed with the change (audit/audit-scope.ts).
      'insert into "audit_pending" ("id",',
      'release one_transaction; commit',
      // The audit entry, chained once the answer is decided (audit/audit-hook.ts): in a transaction
      // apart, with the other entries that arrive meanwhile (audit/append-audit.ts), taken out of
      // audit_pending, where the change's transaction wrote it.
      'begin',
      'select "id" from "companies"',
      'delete from "audit_pending" where',
      'select "hash" from "audit_log"',
      'insert into "audit_log" ("company_id",',
      'commit',
    ]);
  });

  it('a credit of points, with its points.earned event and delivery', async () => {
    const { api } = await serverWithEndpoint();
    const member = (await api.post('/api/v2/customers/', JOAO)).body.customer.member_id as string;
    let status = 0;
    const sent = await statementsOf(async () => {
      status = (await api.post(`/api/v2/customers/${member}/points/add/`, { amount: 10 })).status;
    });
    expect(status).toBe(200);
    // Was 20 (with its NOTIFY).
    expect(heads(sent)).toEqual([
      'select "id", "company_id", "read_only",',
      'begin; savepoint one_transaction',
      // The customer, locked, and the program.
      'select *, (select "program"',
      // The balances, and the points.earned counted in the member's sequence.
      'update "customers" set "points_balance"',
      'insert into "ledger_entries" ("company_id",',
      'insert into "events" ("id",',
      'select "id", "events", "ordering"',
      // The member's previous delivery, still pending, told that this one waits for it.
      'update "deliveries" set "has_successor"',
      'insert into "deliveries" ("id",',
      // The audit entry, committed with the change (audit/audit-scope.ts).
      'insert into "audit_pending" ("id",',
      'release one_transaction; notify zupy_deliveries;',
      // The audit entry, chained once the answer is decided (audit/audit-hook.ts): in a transaction
      // apart, with the other entries that arrive meanwhile (audit/append-audit.ts), taken out of
      // audit_pending, where the change's transaction wrote it.
      'begin',
      'select "id" from "companies"',
      'delete from "audit_pending" where',
      'select "hash" from "audit_log"',
      'insert into "audit_log" ("company_id",',
      'commit',
    ]);
  });

  it('a debit of points', async () => {
    const { api } = await serverWithEndpoint();
    const member = (await api.post('/api/v2/customers/', JOAO)).body.customer.member_id as string;
    let status = 0;
    const sent = await statementsOf(async () => {
      status = (await api.post(`/api/v2/customers/${member}/points/spend/`, { amount: 10 })).status;
    });
    expect(status).toBe(200);
    // Was 13.
    expect(heads(sent)).toEqual([
      'select "id", "company_id", "read_only",',
      'begin; savepoint one_transaction',
      'select *, (select "program"',
      'update "customers" set "points_balance"',
      'insert into "ledger_entries" ("company_id",',
      // The audit entry, committed with the change (audit/audit-scope.ts).
      'insert into "audit_pending" ("id",',
      'release one_transaction; commit',
      // The audit entry, chained once the answer is decided (audit/audit-hook.ts): in a transaction
      // apart, with the other entries that arrive meanwhile (audit/append-audit.ts), taken out of
      // audit_pending, where the change's transaction wrote it.
      'begin',
      'select "id" from "companies"',
      'delete from "audit_pending" where',
      'select "hash" from "audit_log"',
      'insert into "audit_log" ("company_id",',
      'commit',
    ]);
  });
});
