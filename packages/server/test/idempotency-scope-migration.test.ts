import path from 'node:path';
import fs from 'node:fs';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres, openSqlite, SQLITE_FILE_NAME } from '../src/db/database.js';
import { up as upgradeIdempotencyScope } from '../src/db/migrations/0015-idempotency-scope.js';
import { freshDatabaseUrl } from './helpers/test-database.js';
import { JOAO, startTestServer, tempDir, type TestServer } from './helpers/test-server.js';

let server: TestServer | undefined;
let dataDir: string;
afterEach(async () => {
  await server?.close();
  server = undefined;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const DESSERT = {
  name: 'Dessert',
  points_required: 300,
  discount_type: 'percentage',
  discount_value: 10,
  maximum_discount: 15,
  minimum_purchase: 50,
  validity_days: 7,
};

/**
 * Puts `idempotency_keys` back as it was before 0015 (keyed by company and key only), then runs 0015's
 * `up` on it. The migration is run directly, not by forgetting it in `zupy_migrations`: the migrator
 * refuses a database where a later migration ran before it.
 */
async function undoAndRedoScopeMigration(databaseUrl: string | undefined): Promise<void> {
  const database = databaseUrl ? openPostgres(databaseUrl) : openSqlite(path.join(dataDir, SQLITE_FILE_NAME));
  try {
    await database.db.transaction().execute(async (trx) => {
      await sql`create table idempotency_keys_old (
        company_id text not null, key text not null, fingerprint text not null,
        response_status integer not null, response_body text not null, created_at text not null,
        constraint idempotency_keys_pk primary key (company_id, key))`.execute(trx);
      await sql`insert into idempotency_keys_old
        select company_id, key, fingerprint, response_status, response_body, created_at from idempotency_keys`.execute(
        trx,
      );
      await sql`drop table idempotency_keys`.execute(trx);
      await sql`alter table idempotency_keys_old rename to idempotency_keys`.execute(trx);
      await upgradeIdempotencyScope(trx as never, databaseUrl ? 'postgres' : 'sqlite');
    });
  } finally {
    await database.close();
  }
}

describe('migration 0015-idempotency-scope', () => {
  it('gives the keys stored before it their member and operation: each retried request replays its first answer after the upgrade', async () => {
    dataDir = tempDir();
    const databaseUrl = await freshDatabaseUrl();
    server = await startTestServer({ dataDir, databaseUrl });
    const m: string = (await server.api.post('/api/v2/customers/', JOAO)).body.customer.member_id;
    await server.api.post(`/api/v2/customers/${m}/points/add/`, { amount: 1900 });
    const reward: string = (await server.api.post('/api/v2/rewards/', DESSERT)).body.id;
    const redeemUrl = `/api/v2/customers/${m}/rewards/${reward}/redeem/`;
    const toUse: string = (await server.api.post(redeemUrl, {})).body.coupon_code;

    const requests: [string, string, unknown][] = [
      ['k-add', `/api/v2/customers/${m}/points/add/`, { amount: 30 }],
      ['k-spend', `/api/v2/customers/${m}/points/spend/`, { amount: 10 }],
      ['k-redeem', redeemUrl, {}],
      [
        'k-validate',
        `/api/v2/customers/${m}/coupons/${toUse}/validate/`,
        { order_value: 100, platform: 'pos' },
      ],
    ];
    const answers = [];
    for (const [key, url, body] of requests) {
      const res = await server.api.post(url, body, { 'idempotency-key': key });
      expect(res.status, res.text).toBeLessThan(300);
      answers.push(res.body);
    }
    const cancelUrl = `/api/v2/coupons/${answers[2].coupon_code}/cancel/`;
    requests.push(['k-cancel', cancelUrl, undefined]);
    answers.push((await server.api.post(cancelUrl, undefined, { 'idempotency-key': 'k-cancel' })).body);
    expect(answers[4]).toMatchObject({ status: 'cancelled', points_refunded: 300 });
    const balance = (await server.api.get(`/api/v2/customers/${m}/`)).body.points_balance;
    await server.close();
    server = undefined;

    await undoAndRedoScopeMigration(databaseUrl);
    server = await startTestServer({ dataDir, databaseUrl });
    const rows = await server.runtime.ctx.db
      .selectFrom('idempotency_keys')
      .select(['key', 'member_id', 'operation'])
      .orderBy('key')
      .execute();
    expect(rows).toEqual([
      { key: 'k-add', member_id: m, operation: 'add' },
      { key: 'k-cancel', member_id: m, operation: 'cancel' },
      { key: 'k-redeem', member_id: m, operation: 'redeem' },
      { key: 'k-spend', member_id: m, operation: 'spend' },
      { key: 'k-validate', member_id: m, operation: 'validate' },
    ]);
    for (const [i, [key, url, body]] of requests.entries()) {
      const again = await server.api.post(url, body, { 'idempotency-key': key });
      expect(again.body, key).toEqual(answers[i]);
    }
    expect((await server.api.get(`/api/v2/customers/${m}/`)).body.points_balance).toBe(balance);
  });
});
