// What points-operation.ts and idempotency.ts promise, through the API, one server for the file (each
// test its own members): the mutation run of the points module (bench/mutation-modules.mjs) runs
// this file for every mutant, so it stays quick.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

let phones = 0;
/** A new member with the welcome's 100 points. */
async function member(): Promise<string> {
  phones += 1;
  const res = await server.api.post('/api/v2/customers/', {
    phone: `1197${String(phones).padStart(7, '0')}`,
    name: 'Ana',
  });
  expect(res.status, res.text).toBe(201);
  return res.body.customer.member_id;
}
const add = (m: string, body: unknown, headers?: Record<string, string>) =>
  server.api.post(`/api/v2/customers/${m}/points/add/`, body, headers);
const spend = (m: string, body: unknown, headers?: Record<string, string>) =>
  server.api.post(`/api/v2/customers/${m}/points/spend/`, body, headers);
const profile = async (m: string) => (await server.api.get(`/api/v2/customers/${m}/`)).body;
const history = async (m: string) =>
  (await server.api.get(`/api/v2/customers/${m}/points/history/`)).body.data.map((e: any) => ({
    operation: e.operation,
    amount: e.amount,
    balance_before: e.balance_before,
    balance_after: e.balance_after,
    reason: e.reason,
    order_value: e.order_value,
  }));
async function eventsOf(m: string) {
  const rows = await server.runtime.ctx.db
    .selectFrom('events')
    .select(['type', 'body', 'member_seq'])
    .where('member_id', '=', m)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ type: r.type, seq: r.member_seq, body: JSON.parse(r.body) }));
}
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

describe('a credit', () => {
  it('answers the whole result, writes its ledger entry with reason and order value, and one points.earned numbered in the member’s sequence', async () => {
    const m = await member();
    const res = await add(m, { amount: 40, reason: 'visit', order_value: 12.5 });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      customer_id: m,
      operation: 'add',
      amount: 40,
      balance_before: 100,
      balance_after: 140,
      tier: 'bronze',
      tier_upgraded: false,
      created_at: ISO,
    });
    expect((await history(m))[0]).toEqual({
      operation: 'add',
      amount: 40,
      balance_before: 100,
      balance_after: 140,
      reason: 'visit',
      order_value: 12.5,
    });
    expect(await profile(m)).toMatchObject({
      points_balance: 140,
      points_earned: 140,
      points_spent: 0,
      total_spent: 12.5,
      transaction_count: 1,
    });
    const events = await eventsOf(m);
    expect(events.map((e) => [e.type, e.seq])).toEqual([
      ['customer.registered', 1],
      ['points.earned', 2],
    ]);
    expect(events[1]!.body.transaction).toEqual({
      transaction_id: expect.stringMatching(/^txn_/),
      order_id: null,
      order_value: null,
      platform: 'manual',
      points_earned: 40,
      base_points: 40,
      bonus_points: 0,
      new_balance: 140,
      items_count: 0,
      payment_method: null,
    });
    expect(events[1]!.body.bonuses).toEqual([]);
    // The next event of the member follows in the sequence.
    await add(m, { amount: 1 });
    expect((await eventsOf(m)).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('without a reason or an order value: reason null, no purchase counted', async () => {
    const m = await member();
    await add(m, { amount: 5 });
    expect((await history(m))[0]).toMatchObject({ operation: 'add', reason: null, order_value: null });
    expect(await profile(m)).toMatchObject({ total_spent: 0, transaction_count: 0, points_earned: 105 });
  });

  it('that crosses a tier threshold answers the new tier and tier_upgraded', async () => {
    const m = await member();
    const res = await add(m, { amount: 2400 });
    expect(res.body).toMatchObject({ tier: 'silver', tier_upgraded: true, balance_after: 2500 });
    expect((await eventsOf(m)).map((e) => e.type)).toEqual([
      'customer.registered',
      'points.earned',
      'tier.upgraded',
    ]);
  });
});

describe('a debit', () => {
  it('answers the whole result, writes its ledger entry and records no event', async () => {
    const m = await member();
    await add(m, { amount: 2400 }); // silver
    const res = await spend(m, { amount: 2000, reason: 'gift' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      customer_id: m,
      operation: 'spend',
      amount: 2000,
      balance_before: 2500,
      balance_after: 500,
      tier: 'silver',
      tier_upgraded: false,
      created_at: ISO,
    });
    expect((await history(m))[0]).toEqual({
      operation: 'spend',
      amount: 2000,
      balance_before: 2500,
      balance_after: 500,
      reason: 'gift',
      order_value: null,
    });
    expect(await profile(m)).toMatchObject({
      points_balance: 500,
      points_earned: 2500,
      points_spent: 2000,
      total_spent: 0,
      transaction_count: 0,
    });
    expect((await eventsOf(m)).map((e) => e.type)).toEqual([
      'customer.registered',
      'points.earned',
      'tier.upgraded',
    ]);
    // The member's sequence did not move for the debit: the next event is numbered right after.
    await add(m, { amount: 1 });
    expect((await eventsOf(m)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('of exactly the balance leaves 0; one point over the balance is a 422 that says both and changes nothing', async () => {
    const m = await member();
    const over = await spend(m, { amount: 101 });
    expect(over.status).toBe(422);
    expect(over.body.type).toContain('insufficient-balance');
    expect(over.body.detail).toBe('balance is 100 points, 101 requested');
    expect(over.body.errors).toEqual([
      {
        field: 'amount',
        code: 'exceeds_balance',
        detail: 'exceeds the balance of 100 points',
        params: { balance: 100 },
      },
    ]);
    expect(await history(m)).toHaveLength(1);
    const all = await spend(m, { amount: 100 });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ balance_before: 100, balance_after: 0 });
    expect((await spend(m, { amount: 1 })).status).toBe(422);
  });
});

describe('the member', () => {
  it('must be of this company and not erased: otherwise 404 naming the member', async () => {
    const m = await member();
    const other = await server.newCompany(`Elsewhere ${phones}`);
    const theirs = await other.api.post('/api/v2/customers/', { phone: '11 98811-0001', name: 'Bia' });
    const theirsId: string = theirs.body.customer.member_id;
    const foreign = await add(theirsId, { amount: 5 });
    expect(foreign.status).toBe(404);
    expect(foreign.body.detail).toBe(`customer ${theirsId} not found`);
    expect((await other.api.get(`/api/v2/customers/${theirsId}/`)).body.points_balance).toBe(100);

    expect((await server.api.request('DELETE', `/api/v2/customers/${m}/`)).status).toBe(200);
    expect((await add(m, { amount: 5 })).status).toBe(404);
    expect((await spend(m, { amount: 5 })).status).toBe(404);
    // A redemption for a member who is not there is that 404 too, not a shortfall of points.
    const reward = (
      await server.api.post('/api/v2/rewards/', {
        name: 'Coffee',
        points_required: 50,
        discount_type: 'fixed_amount',
        discount_value: 5,
        validity_days: 7,
      })
    ).body;
    const redeem = await server.api.post(`/api/v2/customers/${m}/rewards/${reward.id}/redeem/`, {});
    expect(redeem.status).toBe(404);
    expect(redeem.body.detail).toBe(`customer ${m} not found`);
  });
});

describe('coupons on the ledger', () => {
  it('a redemption is a redeem debit, a cancellation a refund that undoes the spending (no earning, no points.earned)', async () => {
    const m = await member();
    await add(m, { amount: 400 }); // 500
    const reward = (
      await server.api.post('/api/v2/rewards/', {
        name: 'Dessert',
        points_required: 300,
        discount_type: 'fixed_amount',
        discount_value: 10,
        validity_days: 7,
      })
    ).body;
    const redeemed = await server.api.post(`/api/v2/customers/${m}/rewards/${reward.id}/redeem/`, {});
    expect(redeemed.status, redeemed.text).toBe(201);
    expect(redeemed.body.new_balance).toBe(200);
    expect(await profile(m)).toMatchObject({ points_balance: 200, points_earned: 500, points_spent: 300 });
    const short = await server.api.post(`/api/v2/customers/${m}/rewards/${reward.id}/redeem/`, {});
    expect(short.status).toBe(422);
    expect(short.body.detail).toBe('balance is 200 points, 300 requested');
    expect(short.body.errors).toEqual([
      {
        field: 'points_required',
        code: 'exceeds_balance',
        detail: 'exceeds the balance of 200 points',
        params: { balance: 200 },
      },
    ]);
    const cancelled = await server.api.post(`/api/v2/coupons/${redeemed.body.coupon_code}/cancel/`);
    expect(cancelled.body).toMatchObject({ points_refunded: 300, new_balance: 500 });
    expect(await profile(m)).toMatchObject({ points_balance: 500, points_earned: 500, points_spent: 0 });
    expect((await history(m)).slice(0, 2)).toEqual([
      {
        operation: 'refund',
        amount: 300,
        balance_before: 200,
        balance_after: 500,
        reason: `coupon ${redeemed.body.coupon_code} cancelled`,
        order_value: null,
      },
      {
        operation: 'redeem',
        amount: 300,
        balance_before: 500,
        balance_after: 200,
        reason: `reward ${reward.id} (Dessert)`,
        order_value: null,
      },
    ]);
    expect((await eventsOf(m)).filter((e) => e.type === 'points.earned')).toHaveLength(1);
    const refund = await server.runtime.ctx.db
      .selectFrom('ledger_entries')
      .select('transaction_id')
      .where('member_id', '=', m)
      .where('operation', '=', 'refund')
      .executeTakeFirstOrThrow();
    expect(refund.transaction_id).toBeNull();
  });
});

describe('Idempotency-Key', () => {
  it('is 1 to 255 printable ASCII characters without spaces: at 255 accepted; at 256, with a space or a tab inside, refused naming the header', async () => {
    const m = await member();
    expect((await add(m, { amount: 1 }, { 'idempotency-key': `!${'k'.repeat(253)}~` })).status).toBe(200);
    for (const key of ['k'.repeat(256), 'a b', 'a\tb']) {
      const res = await add(m, { amount: 1 }, { 'idempotency-key': key });
      expect(res.status, JSON.stringify(key)).toBe(422);
      expect(res.body.errors).toEqual([
        {
          field: 'Idempotency-Key',
          code: 'idempotency_key_invalid',
          detail: 'must be 1 to 255 printable ASCII characters without spaces',
        },
      ]);
    }
    expect((await profile(m)).points_balance).toBe(101);
  });

  it('replays the first answer for the same request; another request under the key is a 422 that says so', async () => {
    const m = await member();
    const first = await add(m, { amount: 7, reason: 'a' }, { 'idempotency-key': 'same' });
    const again = await add(m, { amount: 7, reason: 'a' }, { 'idempotency-key': 'same' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await add(m, { amount: 7, reason: 'b' }, { 'idempotency-key': 'same' });
    expect(other.status).toBe(422);
    expect(other.body.detail).toBe(
      'this Idempotency-Key was used with a different request; use a new key for a new operation',
    );
    expect(other.body.errors).toEqual([
      {
        field: 'Idempotency-Key',
        code: 'idempotency_key_reused',
        detail: 'already used with a different request',
      },
    ]);
    // A request that failed stored nothing: retried with its key once it can succeed, it is applied.
    const short = await spend(m, { amount: 500 }, { 'idempotency-key': 'later' });
    expect(short.status).toBe(422);
    await add(m, { amount: 500 });
    const retried = await spend(m, { amount: 500 }, { 'idempotency-key': 'later' });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ balance_before: 607, balance_after: 107 });
    expect((await profile(m)).points_balance).toBe(107);
  });

  it('is scoped to the member and the operation: the same key for another member or on a spend is a new request', async () => {
    const [a, b] = [await member(), await member()];
    const headers = { 'idempotency-key': 'shared' };
    expect((await add(a, { amount: 10 }, headers)).body.balance_after).toBe(110);
    expect((await add(b, { amount: 10 }, headers)).body).toMatchObject({
      customer_id: b,
      balance_after: 110,
    });
    expect((await spend(a, { amount: 10 }, headers)).body).toMatchObject({
      operation: 'spend',
      balance_after: 100,
    });
    expect((await add(a, { amount: 10 }, headers)).body.balance_after).toBe(110);
    expect([(await profile(a)).points_balance, (await profile(b)).points_balance]).toEqual([100, 110]);
  });

  it('sent by several requests at once for a new key: one credit, every answer the same', async () => {
    const m = await member();
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => add(m, { amount: 9 }, { 'idempotency-key': 'burst' })),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (const r of answers) expect(r.body).toEqual(answers[0]!.body);
    expect((await profile(m)).points_balance).toBe(109);
  });
});
