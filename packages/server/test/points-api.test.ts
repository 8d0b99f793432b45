import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let memberId: string;
beforeEach(async () => {
  server = await startTestServer();
  memberId = (await server.api.post('/api/v2/customers/', JOAO)).body.customer.member_id;
});
afterEach(() => server.close());

async function eventTypes(): Promise<string[]> {
  const rows = await server.runtime.ctx.db.selectFrom('events').select('type').orderBy('seq').execute();
  return rows.map((r) => r.type);
}

describe('points', () => {
  it('adds and spends through the ledger; spending never lowers the tier', async () => {
    await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: 2400, reason: 'order 1' });
    const spend = await server.api.post(`/api/v2/customers/${memberId}/points/spend/`, {
      amount: 2000,
      reason: 'reward',
    });
    expect(spend.status).toBe(200);
    expect(spend.body).toMatchObject({
      operation: 'spend',
      amount: 2000,
      balance_before: 2500,
      balance_after: 500,
      tier: 'silver',
      tier_upgraded: false,
    });

    const profile = (await server.api.get(`/api/v2/customers/${memberId}/`)).body;
    expect(profile).toMatchObject({
      points_balance: 500,
      points_earned: 2500,
      points_spent: 2000,
      tier: 'silver',
    });

    const history = await server.api.get(`/api/v2/customers/${memberId}/points/history/`);
    expect(history.body.data.map((e: any) => [e.operation, e.amount, e.balance_after])).toEqual([
      ['spend', 2000, 500],
      ['add', 2400, 2500],
      ['welcome', 100, 100],
    ]);
    // Back over the silver threshold: no second tier event for a tier already held, only the credit's.
    await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: 2000 });
    expect(await eventTypes()).toEqual([
      'customer.registered',
      'points.earned',
      'tier.upgraded',
      'points.earned',
    ]);
  });

  it('refuses to spend more than the balance with 422 insufficient-balance and changes nothing', async () => {
    const res = await server.api.post(`/api/v2/customers/${memberId}/points/spend/`, { amount: 101 });
    expect(res.status).toBe(422);
    expect(res.body.type).toContain('insufficient-balance');
    expect(res.body.errors).toEqual([
      {
        field: 'amount',
        code: 'exceeds_balance',
        detail: expect.stringContaining('100'),
        params: { balance: 100 },
      },
    ]);
    expect((await server.api.get(`/api/v2/customers/${memberId}/`)).body.points_balance).toBe(100);
  });

  it('spends exactly the whole balance down to 0, then refuses one point more and keeps 0', async () => {
    const all = await server.api.post(`/api/v2/customers/${memberId}/points/spend/`, { amount: 100 });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({
      operation: 'spend',
      amount: 100,
      balance_before: 100,
      balance_after: 0,
    });
    const one = await server.api.post(`/api/v2/customers/${memberId}/points/spend/`, { amount: 1 });
    expect(one.status).toBe(422);
    expect(one.body.type).toContain('insufficient-balance');
    expect(one.body.errors).toEqual([
      {
        field: 'amount',
        code: 'exceeds_balance',
        detail: 'exceeds the balance of 0 points',
        params: { balance: 0 },
      },
    ]);
    expect((await server.api.get(`/api/v2/customers/${memberId}/`)).body).toMatchObject({
      points_balance: 0,
      points_spent: 100,
    });
    const history = await server.api.get(`/api/v2/customers/${memberId}/points/history/`);
    expect(history.body.data.map((e: any) => [e.operation, e.amount, e.balance_after])).toEqual([
      ['spend', 100, 0],
      ['welcome', 100, 100],
    ]);
  });

  it.each([
    [{ amount: 0 }, 'amount'],
    [{ amount: 1.5 }, 'amount'],
    [{ amount: '10' }, 'amount'],
    [{}, 'amount'],
    [{ amount: 10, order_value: -1 }, 'order_value'],
    [{ amount: 10, order_value: 19.999 }, 'order_value'],
    [{ amount: 10, order_value: 0.001 }, 'order_value'],
    [{ amount: 10, order_value: 1_000_000_000.01 }, 'order_value'],
  ])('rejects %j naming %s', async (body, field) => {
    const res = await server.api.post(`/api/v2/customers/${memberId}/points/add/`, body);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: any) => e.field)).toEqual([field]);
  });

  it('order_value feeds total_spent and transaction_count', async () => {
    await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: 50, order_value: 49.9 });
    await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: 10, order_value: 10.15 });
    await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: 10 });
    // Amounts a binary float cannot hold exactly are accepted and kept to the centavo.
    for (const order_value of [19.99, 0.29, 1_000_000_000]) {
      const res = await server.api.post(`/api/v2/customers/${memberId}/points/add/`, {
        amount: 1,
        order_value,
      });
      expect(res.status).toBe(200);
    }
    const profile = (await server.api.get(`/api/v2/customers/${memberId}/`)).body;
    expect(profile.total_spent).toBe(1_000_000_080.33);
    expect(profile.transaction_count).toBe(5);
  });

  it('replays an Idempotency-Key: the same answer, nothing credited twice; another body is a 422', async () => {
    const headers = { 'idempotency-key': 'order-42' };
    const first = await server.api.post(
      `/api/v2/customers/${memberId}/points/add/`,
      { amount: 2400 },
      headers,
    );
    const again = await server.api.post(
      `/api/v2/customers/${memberId}/points/add/`,
      { amount: 2400 },
      headers,
    );
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await server.api.get(`/api/v2/customers/${memberId}/`)).body.points_balance).toBe(2500);
    // One credit, one points.earned: the replay records nothing.
    expect(await eventTypes()).toEqual(['customer.registered', 'points.earned', 'tier.upgraded']);

    const other = await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: 5 }, headers);
    expect(other.status).toBe(422);
    expect(other.body.type).toContain('idempotency-key-reused');

    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () =>
        server.api.post(
          `/api/v2/customers/${memberId}/points/add/`,
          { amount: 7 },
          { 'idempotency-key': 'burst' },
        ),
      ),
    );
    expect(concurrent.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await server.api.get(`/api/v2/customers/${memberId}/`)).body.points_balance).toBe(2507);
  });
  it('an Idempotency-Key is scoped to (company, member, operation): the same key for another member is credited, on the other route it is applied, with another body it is a 422', async () => {
    const headers = { 'idempotency-key': 'order-77' };
    const other = (await server.api.post('/api/v2/customers/', { phone: '11 98811-0001', name: 'Bia' })).body
      .customer.member_id;
    const first = await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: 30 }, headers);
    expect(first.status).toBe(200);

    // The same key and the same body for another member: a new request, credited.
    const forOther = await server.api.post(`/api/v2/customers/${other}/points/add/`, { amount: 30 }, headers);
    expect(forOther.status).toBe(200);
    expect(forOther.body).toMatchObject({ customer_id: other, balance_before: 100, balance_after: 130 });
    // Retried, each replays its own answer and credits nothing more.
    const forOtherAgain = await server.api.post(
      `/api/v2/customers/${other}/points/add/`,
      { amount: 30 },
      headers,
    );
    expect(forOtherAgain.body).toEqual(forOther.body);
    const firstAgain = await server.api.post(
      `/api/v2/customers/${memberId}/points/add/`,
      { amount: 30 },
      headers,
    );
    expect(firstAgain.body).toEqual(first.body);

    // The same member with the key on the other route: another operation, applied.
    const asSpend = await server.api.post(
      `/api/v2/customers/${memberId}/points/spend/`,
      { amount: 30 },
      headers,
    );
    expect(asSpend.status).toBe(200);
    expect(asSpend.body).toMatchObject({ operation: 'spend', balance_before: 130, balance_after: 100 });

    // The same member, route and key with another body: the conflict, nothing applied.
    const reused = await server.api.post(`/api/v2/customers/${other}/points/add/`, { amount: 31 }, headers);
    expect(reused.status).toBe(422);
    expect(reused.body.type).toContain('idempotency-key-reused');
    expect(reused.body.errors).toEqual([
      {
        field: 'Idempotency-Key',
        code: 'idempotency_key_reused',
        detail: 'already used with a different request',
      },
    ]);
    expect((await server.api.get(`/api/v2/customers/${other}/`)).body.points_balance).toBe(130);
    expect((await server.api.get(`/api/v2/customers/${memberId}/`)).body.points_balance).toBe(100);

    const company = await server.newCompany('Other Place');
    const theirs = (await company.api.post('/api/v2/customers/', JOAO)).body.customer.member_id;
    const inTheirs = await company.api.post(
      `/api/v2/customers/${theirs}/points/add/`,
      { amount: 30 },
      headers,
    );
    expect(inTheirs.status).toBe(200);
    expect(inTheirs.body).toMatchObject({ balance_before: 100, balance_after: 130 });
    expect((await company.api.get(`/api/v2/customers/${theirs}/`)).body.points_balance).toBe(130);
  });
});

describe('tiers', () => {
  it('a manual change upward emits tier.upgraded with custom_criteria; downward emits nothing', async () => {
    const up = await server.api.put(`/api/v2/customers/${memberId}/tier/`, { tier: 'gold' });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ previous_tier: 'bronze', tier: 'gold', tier_upgraded: true });
    const down = await server.api.put(`/api/v2/customers/${memberId}/tier/`, { tier: 'silver' });
    expect(down.body).toMatchObject({ previous_tier: 'gold', tier: 'silver', tier_upgraded: false });
    const rows = await server.runtime.ctx.db
      .selectFrom('events')
      .select(['type', 'body'])
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => r.type)).toEqual(['customer.registered', 'tier.upgraded']);
    expect(JSON.parse(rows[1]!.body).tier_change).toEqual({
      previous_tier: 'bronze',
      new_tier: 'gold',
      qualification_metric: 'custom_criteria',
      qualification_value: 100,
      next_tier_requirements: { tier_name: 'platinum', points_needed: 9900, total_points_required: 10000 },
    });
    const unknown = await server.api.put(`/api/v2/customers/${memberId}/tier/`, { tier: 'diamond' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe('tier');
  });

  it('qualifies on total_spent when the program says so, in currency units', async () => {
    const program = (await server.api.get('/api/v2/loyalty/program/')).body;
    const put = await server.api.put('/api/v2/loyalty/program/', {
      ...program,
      qualification_metric: 'total_spent',
      tiers: [
        { name: 'bronze', threshold: 0 },
        { name: 'silver', threshold: 500 },
        { name: 'gold', threshold: 1000 },
      ],
    });
    expect(put.status).toBe(200);
    const add = await server.api.post(`/api/v2/customers/${memberId}/points/add/`, {
      amount: 10,
      order_value: 750.5,
    });
    expect(add.body).toMatchObject({ tier: 'silver', tier_upgraded: true });
    const rows = await server.runtime.ctx.db
      .selectFrom('events')
      .select('body')
      .where('type', '=', 'tier.upgraded')
      .execute();
    expect(JSON.parse(rows[0]!.body).tier_change).toEqual({
      previous_tier: 'bronze',
      new_tier: 'silver',
      qualification_metric: 'total_spent',
      qualification_value: 750.5,
      next_tier_requirements: { tier_name: 'gold', points_needed: 249.5, total_points_required: 1000 },
    });
  });
});
