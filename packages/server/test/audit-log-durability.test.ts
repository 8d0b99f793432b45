import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainLeftPending, LEFT_PENDING_MS } from '../src/audit/append-audit.js';
import { dialectOf } from '../src/db/dialect.js';
import type { Tables } from '../src/db/tables.js';
import { waitUntil } from './helpers/wait-until.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { databaseEnv } from './helpers/test-database.js';
import { runCli } from './helpers/serve-process.js';
import { JOAO, startTestServer, type ApiClient, type TestServer } from './helpers/test-server.js';

/**
 * The audit entry is written in the transaction of the change it records (audit/audit-scope.ts):
 * a change that committed has its entry even when the process never got to chain it, and a change
 * whose transaction failed has none. The faults are real: a trigger in the database refuses the
 * write, on SQLite and on PostgreSQL.
 */

/** Makes every insert into `table` fail, until the returned function removes the trigger. */
async function refuseInserts(db: Kysely<Tables>, table: string): Promise<() => Promise<void>> {
  const name = `fault_${table}`;
  if (dialectOf(db) === 'sqlite') {
    await sql
      .raw(
        `create trigger ${name} before insert on ${table} begin select raise(abort, 'injected fault'); end`,
      )
      .execute(db);
    return async () => void (await sql.raw(`drop trigger ${name}`).execute(db));
  }
  await sql
    .raw(
      `create function ${name}() returns trigger language plpgsql as $$ begin raise exception 'injected fault'; end $$`,
    )
    .execute(db);
  await sql
    .raw(`create trigger ${name} before insert on ${table} for each row execute function ${name}()`)
    .execute(db);
  return async () => {
    await sql.raw(`drop trigger ${name} on ${table}`).execute(db);
    await sql.raw(`drop function ${name}()`).execute(db);
  };
}

/** A valid request for each write operation of the OpenAPI document, on company A's own objects. */
const BODIES: Record<string, unknown> = {
  'POST /api/v2/customers/': { phone: '11 95555-0001', name: 'Outra Pessoa' },
  'PUT /api/v2/customers/{member_id}/tier/': { tier: 'gold' },
  'POST /api/v2/customers/{member_id}/points/add/': { amount: 10 },
  'POST /api/v2/customers/{member_id}/points/spend/': { amount: 1 },
  'PUT /api/v2/loyalty/program/': undefined, // the program as it is, below
  'POST /api/v2/webhooks/endpoints/': { url: 'http://127.0.0.1:9/other' },
  'PATCH /api/v2/webhooks/endpoints/{id}/': { description: 'renamed' },
  'DELETE /api/v2/webhooks/endpoints/{id}/': undefined,
  'POST /api/v2/webhooks/endpoints/{id}/secret/rotate/': {},
  'POST /api/v2/webhooks/endpoints/{id}/replay/': { status: 'any' },
  'POST /api/v2/webhooks/endpoints/{id}/test/': {},
  'PUT /api/v2/integrations/webhooks/': { webhook_url: 'http://127.0.0.1:9/legacy' },
  'POST /api/v2/integrations/webhooks/test/': {},
  'POST /api/v2/webhooks/deliveries/{id}/redeliver/': undefined,
  'PATCH /api/v2/me/': { notification_email: 'dono@example.com', language: 'en' },
  'POST /api/v2/rewards/': {
    name: 'Outro',
    points_required: 1,
    discount_type: 'product_free',
    validity_days: 1,
  },
  'PATCH /api/v2/rewards/{id}/': { description: 'new terms' },
  'POST /api/v2/customers/{member_id}/rewards/{reward_id}/redeem/': {},
  'POST /api/v2/customers/{member_id}/coupons/{code}/validate/': { order_value: 100, platform: 'pos' },
  'POST /api/v2/coupons/{code}/cancel/': undefined,
  'PATCH /api/v2/customers/{member_id}/': { name: 'João Corrigido' },
  'DELETE /api/v2/customers/{member_id}/': undefined,
  'POST /api/v2/customers/{member_id}/orders/': { order_id: 'A-1', order_value: 10, platform: 'pos' },
};
/** Not an API-key write (a partner's signed feed): not in the audit log. */
const UNAUDITED = new Set(['POST /api/v2/webhooks/integrations/{partner}/']);
/** Deleting goes last: the other writes need what it removes. */
const LAST = ['DELETE /api/v2/webhooks/endpoints/{id}/', 'DELETE /api/v2/customers/{member_id}/'];

describe('audit entries are committed with their change', () => {
  let server: TestServer;
  let receiver: Receiver;
  let api: ApiClient;
  let ids: Record<string, string>;
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startTestServer({ worker: true, env: { ZUPY_ALLOW_PRIVATE_NETWORK: '1' } });
    api = server.api;
    const endpoint = (await api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).body;
    const customer = (await api.post('/api/v2/customers/', JOAO)).body.customer;
    await api.post(`/api/v2/customers/${customer.member_id}/points/add/`, { amount: 3000 });
    const reward = (
      await api.post('/api/v2/rewards/', {
        name: 'Sobremesa',
        points_required: 100,
        discount_type: 'percentage',
        discount_value: 10,
        validity_days: 30,
      })
    ).body;
    const redeem = () => api.post(`/api/v2/customers/${customer.member_id}/rewards/${reward.id}/redeem/`, {});
    const toValidate = (await redeem()).body.coupon_code as string;
    const toCancel = (await redeem()).body.coupon_code as string;
    await receiver.waitFor(1);
    await waitUntil(
      async () => (await api.get('/api/v2/webhooks/deliveries/?status=succeeded')).body.data.length > 0,
    );
    const delivery = (await api.get('/api/v2/webhooks/deliveries/?status=succeeded')).body.data[0];
    ids = {
      member_id: customer.member_id,
      endpoint: endpoint.id,
      delivery: delivery.id,
      reward: reward.id,
      validate: toValidate,
      cancel: toCancel,
    };
    BODIES['PUT /api/v2/loyalty/program/'] = (await api.get('/api/v2/loyalty/program/')).body;
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  const pathFor = (template: string) =>
    template
      .replace('{member_id}', ids.member_id!)
      .replace('{reward_id}', ids.reward!)
      .replace('{code}', template.includes('/cancel/') ? ids.cancel! : ids.validate!)
      .replace(
        '{id}',
        template.includes('/deliveries/')
          ? ids.delivery!
          : template.includes('/rewards/')
            ? ids.reward!
            : ids.endpoint!,
      );

  it('every write route: its entry survives a failure right after the commit, and is chained by the sweep', async () => {
    const document = (await api.get('/api/v2/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const writes = Object.entries(document.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .filter((name) => !name.startsWith('GET ') && !UNAUDITED.has(name));
    for (const name of writes) expect(Object.keys(BODIES), `no request for ${name}: add one`).toContain(name);
    const ordered = [...writes.filter((w) => !LAST.includes(w)), ...LAST];

    const db = server.runtime.ctx.db;
    const logged = async () => (await db.selectFrom('audit_log').select('seq').execute()).length;
    const before = await logged();
    // The fault: the chain's insert fails, after each change (and its entry) committed.
    const restore = await refuseInserts(db, 'audit_log');
    const made: string[] = [];
    try {
      for (const name of ordered) {
        const [method, template] = name.split(' ') as [string, string];
        const res = await api.request(method, pathFor(template), BODIES[name]);
        expect(res.status, `${name}: ${res.text}`).toBeLessThan(300);
        made.push(`${method} ${template.replace('/api/v2', '').replace(/\{(\w+)\}/g, ':$1')}`);
      }
      expect(await logged()).toBe(before);
      const pending = await db.selectFrom('audit_pending').selectAll().orderBy('at').execute();
      expect(pending.map((p) => p.action).sort()).toEqual([...made].sort());
    } finally {
      await restore();
    }

    // A later process (or the sweep with the retention's prune) chains them, with no status.
    const chained = await chainLeftPending(db, new Date(Date.now() + LEFT_PENDING_MS + 1000));
    expect(chained).toBe(made.length);
    expect(await db.selectFrom('audit_pending').select('id').execute()).toEqual([]);
    const entries = (await api.get(`/api/v2/audit-log/?page_size=${made.length}`)).body.data as any[];
    expect(entries.map((e) => e.action).sort()).toEqual([...made].sort());
    for (const e of entries) expect(e).toMatchObject({ actor: 'api', status: null, address: '127.0.0.1' });
    const created = entries.find((e) => e.action === 'POST /webhooks/endpoints/');
    expect(created.target_id).toMatch(/^ep_/);
    expect(entries.find((e) => e.action === 'DELETE /customers/:member_id/').target_id).toBe(ids.member_id);
    expect((await api.get('/api/v2/audit-log/verify/')).body).toMatchObject({ ok: true, broken_at: null });
  });

  it('a change whose transaction fails leaves no entry, pending or chained', async () => {
    const db = server.runtime.ctx.db;
    const count = async () => ({
      log: (await db.selectFrom('audit_log').select('seq').execute()).length,
      pending: (await db.selectFrom('audit_pending').select('id').execute()).length,
    });
    const before = await count();
    const restore = await refuseInserts(db, 'customers');
    try {
      const res = await api.post('/api/v2/customers/', { phone: '11 94444-0002', name: 'Falha' });
      expect(res.status).toBe(500);
    } finally {
      await restore();
    }
    expect(await count()).toEqual(before);
    // And the same write, once it commits, has its entry at once.
    const ok = await api.post('/api/v2/customers/', { phone: '11 94444-0002', name: 'Falha' });
    expect(ok.status).toBe(201);
    const [latest] = (await api.get('/api/v2/audit-log/')).body.data;
    expect(latest).toMatchObject({
      action: 'POST /customers/',
      target_id: ok.body.customer.member_id,
      status: 201,
    });
    expect(await count()).toEqual({ log: before.log + 1, pending: 0 });
  });

  it('concurrent writes from this process and CLI processes keep one unbroken chain', async () => {
    const db = server.runtime.ctx.db;
    const count = async () =>
      (await db.selectFrom('audit_log').select('seq').where('company_id', '=', server.companyId).execute())
        .length;
    const before = await count();
    const env = {
      ZUPY_DATA_DIR: server.dataDir,
      ZUPY_LOG_LEVEL: 'silent',
      ...databaseEnv(server.databaseUrl),
    };
    const KEYS = 4;
    // The API writes go on, four at a time, for as long as the CLI processes write.
    let cliDone = false;
    const cli = Promise.all(
      Array.from({ length: KEYS }, () => runCli(env, 'apikey', 'create', '--company', server.companyId)),
    ).finally(() => (cliDone = true));
    let registered = 0;
    const lane = async (n: number) => {
      for (let i = 0; !cliDone || i < 5; i++) {
        const res = await api.post('/api/v2/customers/', {
          phone: `+55119${n}${String(1000000 + i)}`,
          name: `Cliente ${n} ${i}`,
        });
        expect(res.status, res.text).toBe(201);
        registered++;
      }
    };
    await Promise.all([cli, ...[6, 7, 8, 9].map(lane)]);
    expect(registered).toBeGreaterThan(KEYS);
    expect(await count()).toBe(before + registered + KEYS);
    const chain = await db
      .selectFrom('audit_log')
      .select(['seq', 'prev_hash', 'hash', 'actor'])
      .where('company_id', '=', server.companyId)
      .orderBy('seq')
      .execute();
    for (let i = 1; i < chain.length; i++)
      expect(chain[i]!.prev_hash, `seq ${chain[i]!.seq}`).toBe(chain[i - 1]!.hash);
    expect(chain.filter((e) => e.actor === 'cli').length).toBeGreaterThanOrEqual(KEYS);
    expect((await api.get('/api/v2/audit-log/verify/')).body).toMatchObject({ ok: true, broken_at: null });
    expect(await db.selectFrom('audit_pending').select('id').execute()).toEqual([]);
  });
});
