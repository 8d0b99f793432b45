import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

const DAY = 86_400_000;
const START = Date.parse('2025-08-01T12:00:00Z');

let server: TestServer;
let now = START;
/** Moves the server's injected clock to `days` after the start. */
const at = (days: number, seconds = 0) => (now = START + days * DAY + seconds * 1000);

beforeEach(async () => {
  now = START;
  server = await startTestServer({ ctx: { clock: () => new Date(now) } });
});
afterEach(() => server.close());

async function program(days: number) {
  const current = (await server.api.get('/api/v2/loyalty/program/')).body;
  const res = await server.api.put('/api/v2/loyalty/program/', { ...current, point_expiration_days: days });
  expect(res.status).toBe(200);
}

const expireEntries = async () =>
  server.runtime.ctx.db
    .selectFrom('ledger_entries')
    .select(['amount', 'balance_before', 'balance_after', 'created_at'])
    .where('operation', '=', 'expire')
    .execute();

describe('point expiry (point_expiration_days)', () => {
  it('after N days takes exactly the oldest unspent points, sweep or not, and never lowers the tier', async () => {
    await program(30);
    // Day 0: 100 welcome points (lot A). Day 10: 2,400 (lot B): silver. Day 15: spend 150, which
    // takes A's 100 and 50 of B. Day 20: 300 (lot C).
    const member = (await server.api.post('/api/v2/customers/', JOAO)).body.customer.member_id as string;
    const path = `/api/v2/customers/${member}`;
    at(10);
    expect((await server.api.post(`${path}/points/add/`, { amount: 2400 })).body.tier).toBe('silver');
    at(15);
    await server.api.post(`${path}/points/spend/`, { amount: 150 });
    at(20);
    await server.api.post(`${path}/orders/`, { order_id: 'C', order_value: 300, platform: 'pos' });

    // Day 30: A is 30 days old, but it was spent first: nothing expires.
    at(30);
    expect((await server.api.get(`${path}/`)).body.points_balance).toBe(2650);
    // One second before B's 30 days: still all there.
    at(40, -1);
    expect((await server.api.get('/api/v2/customers/')).body.data[0].points_balance).toBe(2650);
    expect((await server.api.get(`${path}/`)).body.points_balance).toBe(2650);
    expect(await expireEntries()).toEqual([]);

    // Day 40: B's 2,350 left expire. The list already says so, before anything is written down.
    at(40);
    expect((await server.api.get('/api/v2/customers/')).body.data[0].points_balance).toBe(300);
    expect(await expireEntries()).toEqual([]);
    const profile = (await server.api.get(`${path}/`)).body;
    expect(profile).toMatchObject({ points_balance: 300, tier: 'silver', points_earned: 2800 });
    expect(await expireEntries()).toEqual([
      { amount: 2350, balance_before: 2650, balance_after: 300, created_at: new Date(at(40)).toISOString() },
    ]);
    const history = (await server.api.get(`${path}/points/history/`)).body.data;
    expect(history.map((e: any) => [e.operation, e.amount, e.balance_after])).toEqual([
      ['expire', 2350, 300],
      ['order', 300, 2650],
      ['spend', 150, 2350],
      ['add', 2400, 2500],
      ['welcome', 100, 100],
    ]);
    // Reading again writes nothing more.
    await server.api.get(`${path}/points/history/`);
    expect(await expireEntries()).toHaveLength(1);

    // A spend cannot take expired points: at day 50 C (day 20) has expired too.
    at(50);
    const spend = await server.api.post(`${path}/points/spend/`, { amount: 1 });
    expect(spend.status).toBe(422);
    expect(spend.body.errors).toEqual([
      {
        field: 'amount',
        code: 'exceeds_balance',
        detail: 'exceeds the balance of 0 points',
        params: { balance: 0 },
      },
    ]);
    expect((await server.api.get(`${path}/`)).body).toMatchObject({ points_balance: 0, tier: 'silver' });
    expect((await expireEntries()).map((e) => e.amount)).toEqual([2350, 300]);

    // New points after that are a new lot, and earn as usual.
    const add = await server.api.post(`${path}/points/add/`, { amount: 10 });
    expect(add.body).toMatchObject({ balance_before: 0, balance_after: 10, tier: 'silver' });
  });

  it('0 (the default) never expires anything', async () => {
    const member = (await server.api.post('/api/v2/customers/', JOAO)).body.customer.member_id as string;
    at(3650);
    expect((await server.api.get(`/api/v2/customers/${member}/`)).body.points_balance).toBe(100);
    expect((await server.api.get('/api/v2/customers/')).body.data[0].points_balance).toBe(100);
    expect(await expireEntries()).toEqual([]);
  });

  it('an expiry due at the moment of an order is written before its credit', async () => {
    await program(1);
    const member = (await server.api.post('/api/v2/customers/', JOAO)).body.customer.member_id as string;
    at(1);
    const order = await server.api.post(`/api/v2/customers/${member}/orders/`, {
      order_id: 'X',
      order_value: 10,
      platform: 'pos',
    });
    expect(order.body).toMatchObject({ points_earned: 10, new_balance: 10 });
    const history = (await server.api.get(`/api/v2/customers/${member}/points/history/`)).body.data;
    expect(history.map((e: any) => [e.operation, e.balance_before, e.balance_after])).toEqual([
      ['order', 0, 10],
      ['expire', 100, 0],
      ['welcome', 0, 100],
    ]);
  });
});
