import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseCustomer, ERASURE_STEPS } from '../src/customers/erase-customer.js';
import { dumpEveryTable } from './helpers/dump-database.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

/** The person to erase: each of these must be gone from every copy. */
const ANA = {
  phone: '(21) 98123-4567',
  name: 'Ana Beatriz Quintanilha',
  email: 'ana.quintanilha@example.com.br',
  cpf: '390.533.447-05',
};
const ANA_TRACES = [
  'Ana Beatriz Quintanilha',
  'Quintanilha',
  '+5521981234567',
  '21981234567',
  'ana.quintanilha',
  '39053344705',
];
/** Another member, who must stay whole. */
const BRUNO = {
  phone: '(31) 97777-1234',
  name: 'Bruno Teixeira Lobo',
  email: 'bruno.lobo@example.com',
  cpf: '153.509.460-56',
};

let server: TestServer;
/** Gets every event and answers with what it got (so the delivery log's answers hold the person's data). */
let echo: Receiver;
/** Answers 500 until told otherwise: the member's deliveries to it are pending (retrying). */
let failing: Receiver;
let failingOk = false;
let failingSeenBeforeErasure = 0;
/** Holds requests about Ana until released: a delivery in flight while the erasure commits. */
let slow: Receiver;
let releaseSlow: () => void = () => {};
const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));

let ana: any;
let bruno: any;
const anaEndpointIds: Record<string, string> = {};
let before: { ledger: unknown; bruno: unknown };
let ledgerBefore: unknown[];
let brunoKept: { idempotency: number; consent: number; reasons: number };
let erased: { status: number; text: string; body: any };

const ledgerOf = (memberId: string) =>
  server.runtime.ctx.db
    .selectFrom('ledger_entries')
    .select(['operation', 'amount', 'balance_before', 'balance_after', 'order_value_cents'])
    .where('member_id', '=', memberId)
    .orderBy('id')
    .execute();

/** How many of the member's idempotency records, consent changes and ledger reasons are stored. */
async function keptRowsOf(memberId: string) {
  const db = server.runtime.ctx.db;
  const count = async (table: 'idempotency_keys' | 'consent_changes') =>
    (await db.selectFrom(table).select('member_id').where('member_id', '=', memberId).execute()).length;
  const reasons = await db
    .selectFrom('ledger_entries')
    .select('reason')
    .where('member_id', '=', memberId)
    .where('reason', 'is not', null)
    .execute();
  return {
    idempotency: await count('idempotency_keys'),
    consent: await count('consent_changes'),
    reasons: reasons.length,
  };
}

const get = (p: string) => server.api.get(`/api/v2${p}`);

beforeAll(async () => {
  server = await startTestServer({ worker: true });
  echo = await startReceiver((r) => ({ status: 200, body: r.body }));
  failing = await startReceiver((r) =>
    failingOk ? { status: 200, body: r.body } : { status: 500, body: r.body },
  );
  slow = await startReceiver(async (r) => {
    if (r.body.includes('"customer.updated"')) await slowReleased;
    return { status: 200, body: r.body };
  });
  for (const [name, receiver, ordering] of [
    ['echo', echo, 'member'],
    ['failing', failing, 'member'],
    ['slow', slow, 'none'],
  ] as const) {
    const res = await server.api.post('/api/v2/webhooks/endpoints/', {
      url: receiver.url + '/' + name,
      ordering,
    });
    expect(res.status).toBe(201);
    anaEndpointIds[name] = res.body.id;
  }
  ana = (
    await server.api.post('/api/v2/customers/', {
      ...ANA,
      channel: 'pos',
      marketing_opt_in: { whatsapp: true },
    })
  ).body.customer;
  bruno = (await server.api.post('/api/v2/customers/', { ...BRUNO, marketing_opt_in: { email: true } })).body
    .customer;
  const add = await server.api.post(
    `/api/v2/customers/${ana.member_id}/points/add/`,
    { amount: 300, reason: `aniversário da ${ANA.name}`, order_value: 120.5 },
    { 'idempotency-key': 'ana-order-1' },
  );
  expect(add.status).toBe(200);
  expect(
    (await server.api.post(`/api/v2/customers/${ana.member_id}/points/spend/`, { amount: 50 })).status,
  ).toBe(200);
  await server.api.post(
    `/api/v2/customers/${bruno.member_id}/points/add/`,
    { amount: 70, reason: 'pizza' },
    { 'idempotency-key': 'bruno-order-1' },
  );
  // customer.updated about Ana: the slow receiver holds it in flight.
  expect(
    (
      await server.api.request('PATCH', `/api/v2/customers/${ana.member_id}/`, {
        email: 'ana.q@example.com.br',
      })
    ).status,
  ).toBe(200);
  // Everything about Ana reached the echo receiver; the failing one has them pending; the slow one holds one.
  await echo.waitForMembers([ana.member_id, bruno.member_id]);
  await waitUntil(() =>
    echo.requests.filter((r) => r.body.includes(ana.member_id)).length >= 2 ? true : undefined,
  );
  await waitUntil(() =>
    slow.requests.some((r) => r.body.includes('"customer.updated"')) ? true : undefined,
  );
  await waitUntil(() => (failing.requests.length >= 2 ? true : undefined));
  before = {
    ledger: (await get(`/customers/${ana.member_id}/points/history/`)).body,
    bruno: (await get(`/customers/${bruno.member_id}/`)).body,
  };
  ledgerBefore = await ledgerOf(ana.member_id);
  brunoKept = await keptRowsOf(bruno.member_id);
  expect(await keptRowsOf(ana.member_id)).toMatchObject({ idempotency: 1, consent: 1 });
  failingSeenBeforeErasure = failing.requests.length;
  // Answers again: its deliveries about Ana, due for a retry in a minute, must be cancelled by then.
  failingOk = true;
  // The erasure itself, here and not in a test: `npm run mutation` then runs every test of the file
  // with each mutant of the erasure code active (code run outside a test is covered by all of them).
  erased = await server.api.request('DELETE', `/api/v2/customers/${ana.member_id}/`);
});
afterAll(async () => {
  releaseSlow();
  await server.close();
  await Promise.all([echo.close(), failing.close(), slow.close()]);
});

describe('DELETE /customers/{member_id}/', () => {
  it('erases Ana: 200, then 404 and out of lists, while Bruno and Ana’s ledger amounts stay', async () => {
    expect(erased.status, erased.text).toBe(200);
    expect(erased.body).toEqual({ member_id: ana.member_id, deleted_at: expect.stringMatching(/Z$/) });

    expect((await get(`/customers/${ana.member_id}/`)).status).toBe(404);
    expect((await server.api.request('DELETE', `/api/v2/customers/${ana.member_id}/`)).status).toBe(404);
    expect(
      (await server.api.post(`/api/v2/customers/${ana.member_id}/points/add/`, { amount: 1 })).status,
    ).toBe(404);
    const list = (await get('/customers/')).body.data.map((c: any) => c.member_id);
    expect(list).toEqual([bruno.member_id]);
    expect((await get(`/customers/${bruno.member_id}/`)).body).toEqual(before.bruno);

    const ledgerAfter = await ledgerOf(ana.member_id);
    expect(ledgerAfter).toEqual(ledgerBefore);
    expect(ledgerAfter.map((e) => Number(e.amount))).toEqual([100, 300, 50]);
    const tombstone = await server.runtime.ctx.db
      .selectFrom('customers')
      .selectAll()
      .where('member_id', '=', ana.member_id)
      .executeTakeFirstOrThrow();
    expect(tombstone).toMatchObject({ name: '', email: null, cpf: null, tier: ana.tier });
    expect(Number(tombstone.points_balance)).toBe(350);
    expect(Number(tombstone.total_spent_cents)).toBe(12050);
  });

  it('deletes her idempotency records and consent history and removes her ledger reasons; Bruno’s stay', async () => {
    // Bruno: his welcome points' and his pizza's reasons.
    expect(brunoKept).toEqual({ idempotency: 1, consent: 1, reasons: 2 });
    expect(await keptRowsOf(ana.member_id)).toEqual({ idempotency: 0, consent: 0, reasons: 0 });
    expect(await keptRowsOf(bruno.member_id)).toEqual(brunoKept);
    // Her answers from the receivers are gone, the attempts themselves stay; Bruno's answers stay.
    const answers = async (memberId: string) =>
      server.runtime.ctx.db
        .selectFrom('delivery_attempts')
        .innerJoin('deliveries', 'deliveries.id', 'delivery_attempts.delivery_id')
        .innerJoin('events', 'events.id', 'deliveries.event_id')
        .select('delivery_attempts.response_body')
        .where('events.member_id', '=', memberId)
        .execute();
    const hers = await answers(ana.member_id);
    expect(hers.length).toBeGreaterThan(0);
    expect(hers.filter((a) => a.response_body !== null && a.response_body !== '')).toEqual([
      // customer.deleted's own answers, recorded after the erasure: the echo of the member id only.
      ...hers.filter((a) => a.response_body?.includes('"customer.deleted"')),
    ]);
    expect((await answers(bruno.member_id)).some((a) => a.response_body?.includes(BRUNO.name))).toBe(true);
  });

  it('each step names the table it scrubs, a table of the database, in the order they run', async () => {
    const { tables } = await dumpEveryTable(server.runtime.ctx.db);
    const named = ERASURE_STEPS.map((step) => step.table);
    expect(named).toEqual([
      'deliveries',
      'delivery_attempts',
      'events',
      'idempotency_keys',
      'consent_changes',
      'ledger_entries',
      'partner_inbox',
      'customers',
    ]);
    expect(tables).toEqual(expect.arrayContaining(named));
  });

  it('customer.deleted reaches the receivers with only the member id; nothing about Ana is sent after', async () => {
    await expect
      .poll(() => echo.requests.filter((r) => r.body.includes('"customer.deleted"')).length, {
        timeout: 15_000,
      })
      .toBe(1);
    const body = JSON.parse(echo.requests.find((r) => r.body.includes('"customer.deleted"'))!.body);
    expect(Object.keys(body)).toEqual(['event', 'timestamp', 'company_id', 'customer', 'deleted_at']);
    expect(body).toMatchObject({
      event: 'customer.deleted',
      company_id: 'comp_bella_vista',
      customer: { member_id: ana.member_id },
    });
    expect(Object.keys(body.customer)).toEqual(['member_id']);

    // The failing endpoint's deliveries about Ana, pending (retrying) at the erasure, were cancelled:
    // no claim reaches them; it got customer.deleted and nothing about her since.
    const cancelled = await server.runtime.ctx.db
      .selectFrom('deliveries')
      .select(['event_type', 'status', 'next_attempt_at'])
      .where('endpoint_id', '=', anaEndpointIds.failing!)
      .where('event_id', 'in', (eb) =>
        eb.selectFrom('events').select('id').where('member_id', '=', ana.member_id),
      )
      .orderBy('seq')
      .execute();
    expect(cancelled).toEqual([
      { event_type: 'customer.registered', status: 'discarded', next_attempt_at: null },
      { event_type: 'points.earned', status: 'discarded', next_attempt_at: null },
      { event_type: 'customer.updated', status: 'discarded', next_attempt_at: null },
      { event_type: 'customer.deleted', status: 'succeeded', next_attempt_at: null },
    ]);
    const since = failing.requests.slice(failingSeenBeforeErasure);
    expect(since.map((r) => JSON.parse(r.body).event)).toEqual(['customer.deleted']);
    for (const r of since)
      for (const trace of ANA_TRACES) expect(r.body, 'sent after the erasure').not.toContain(trace);
  });

  it('a delivery in flight during the erasure cannot write the receiver’s answer (her data) back', async () => {
    releaseSlow();
    const inFlight = await server.runtime.ctx.db
      .selectFrom('deliveries')
      .select(['id', 'status', 'attempts_count'])
      .where('endpoint_id', '=', anaEndpointIds.slow!)
      .where('event_type', '=', 'customer.updated')
      .executeTakeFirstOrThrow();
    // The receiver answers with the body it got; the worker then records the attempt, or refuses to.
    await expect
      .poll(() => slow.requests.some((r) => r.body.includes('"customer.deleted"')), { timeout: 15_000 })
      .toBe(true);
    // The held request's answer is recorded before the worker counts it out of flight.
    await expect.poll(() => server.runtime.worker!.inFlightCount, { timeout: 15_000 }).toBe(0);
    const now = await server.runtime.ctx.db
      .selectFrom('deliveries')
      .select(['status'])
      .where('id', '=', inFlight.id)
      .executeTakeFirstOrThrow();
    expect(now.status).toBe('discarded');
    const attempts = await server.runtime.ctx.db
      .selectFrom('delivery_attempts')
      .selectAll()
      .where('delivery_id', '=', inFlight.id)
      .execute();
    expect(attempts).toEqual([]);
  });

  it('leaves none of her name, phone, e-mail or CPF in any table, nor in the SQLite files', async () => {
    const { tables, text } = await dumpEveryTable(server.runtime.ctx.db);
    expect(tables).toEqual(
      expect.arrayContaining([
        'customers',
        'events',
        'delivery_attempts',
        'idempotency_keys',
        'consent_changes',
        'audit_log',
      ]),
    );
    for (const trace of ANA_TRACES) expect(text, trace).not.toContain(trace);
    // Bruno is whole, and the scan would see a name if there were one.
    expect(text).toContain(BRUNO.name);
    expect(text).toContain('+5531977771234');
    expect(text).toContain(ana.member_id);

    if (server.databaseUrl === undefined) {
      await server.runtime.ctx.forgetOverwrittenData?.();
      const files = fs.readdirSync(server.dataDir).filter((f) => f.startsWith('zupy.db'));
      expect(files).toContain('zupy.db');
      const bytes = Buffer.concat(files.map((f) => fs.readFileSync(path.join(server.dataDir, f))));
      for (const trace of ANA_TRACES)
        expect(bytes.includes(Buffer.from(trace, 'utf8')), `${trace} in ${files.join(', ')}`).toBe(false);
      expect(bytes.includes(Buffer.from(BRUNO.name, 'utf8'))).toBe(true);
    }
  });

  it('her events are listed scrubbed, never redelivered, and the same phone registering again is a new member', async () => {
    const events = (await get('/events/?page_size=100')).body.data.filter((e: any) =>
      JSON.stringify(e).includes(ana.member_id),
    );
    expect(events.map((e: any) => e.type)).toEqual([
      'customer.registered',
      'points.earned',
      'customer.updated',
      'customer.deleted',
    ]);
    expect(events[0].payload).toEqual({
      event: 'customer.registered',
      company_id: 'comp_bella_vista',
      customer: { member_id: ana.member_id },
      erased_at: expect.any(String),
    });
    const delivered = await server.runtime.ctx.db
      .selectFrom('deliveries')
      .select('id')
      .where('endpoint_id', '=', anaEndpointIds.echo!)
      .where('event_type', '=', 'customer.registered')
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    const again = await server.api.post(`/api/v2/webhooks/deliveries/${delivered.id}/redeliver/`);
    expect(again.status).toBe(409);
    // A replay of everything the endpoint got skips her erased events (and resends the rest).
    const replay = await server.api.post(`/api/v2/webhooks/endpoints/${anaEndpointIds.echo}/replay/`, {
      status: 'any',
    });
    expect(replay.status, replay.text).toBeLessThan(300);
    const theirs = await server.runtime.ctx.db
      .selectFrom('deliveries')
      .innerJoin('events', 'events.id', 'deliveries.event_id')
      .select(['events.member_id', 'deliveries.status', 'events.erased_at'])
      .where('deliveries.endpoint_id', '=', anaEndpointIds.echo!)
      .execute();
    // Her registration, her points.earned and her update reached it before the erasure.
    expect(theirs.filter((d) => d.erased_at !== null).map((d) => d.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(replay.body.count).toBe(theirs.length - 3);

    const back = await server.api.post('/api/v2/customers/', ANA);
    expect(back.status).toBe(201);
    expect(back.body.created).toBe(true);
    expect(back.body.customer.member_id).not.toBe(ana.member_id);
    expect(back.body.customer.points_balance).toBe(100);
  });
});

describe('an erasure is one transaction', () => {
  it('a failure after every step but the last leaves everything as it was, and the erasure then succeeds', async () => {
    const carla = (
      await server.api.post('/api/v2/customers/', {
        phone: '(41) 99999-0000',
        name: 'Carla Failing',
        email: 'carla@example.com',
      })
    ).body.customer;
    const before = await dumpEveryTable(server.runtime.ctx.db);
    const boom = { table: 'none', run: () => Promise.reject(new Error('killed midway')) };
    const steps = [...ERASURE_STEPS, boom];
    await expect(
      eraseCustomer(server.runtime.ctx, 'comp_bella_vista', carla.member_id, steps),
    ).rejects.toThrow('killed midway');
    const after = await dumpEveryTable(server.runtime.ctx.db);
    // Only the worker's own bookkeeping may differ (its lock renewal, deliveries being sent).
    expect(after.text).toContain('Carla Failing');
    expect((await get(`/customers/${carla.member_id}/`)).body.name).toBe('Carla Failing');
    const events = (t: string) => t.split('\n').find((l) => l.startsWith('events:'));
    expect(events(after.text)).toBe(events(before.text));
    expect((await server.api.request('DELETE', `/api/v2/customers/${carla.member_id}/`)).status).toBe(200);
  });
});
