import { parseEvent, type PointsEarnedEvent, type TierUpgradedEvent } from '@zupy/webhooks';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { receiverPool, type Receiver } from './helpers/receiver.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
const receivers = receiverPool();
let memberId: string;
beforeEach(async () => {
  server = await startTestServer({ worker: true });
  memberId = (await server.api.post('/api/v2/customers/', JOAO)).body.customer.member_id;
});
afterEach(async () => {
  await receivers.closeAll();
  await server.close();
});

const PROGRAM = {
  tiers_enabled: true,
  qualification_metric: 'points_balance',
  tiers: [
    { name: 'bronze', threshold: 0 },
    { name: 'silver', threshold: 2500, points_multiplier: 1.25, benefits: ['Free coffee'] },
    {
      name: 'gold',
      threshold: 2800,
      points_multiplier: 1.5,
      benefits: ['Free dessert every visit', 'Priority table'],
    },
  ],
  welcome_reward: { type: 'points', points: 100 },
  earning: {
    points_per_currency: 1,
    rounding: 'floor',
    bonuses: [
      { type: 'happy_hour', weekdays: ['thu', 'fri'], start: '17:00', end: '19:00', multiplier: 1.5 },
      { type: 'category_bonus', category: 'Pizzas', multiplier: 2, description: 'Pizzas ×2' },
    ],
  },
};

/** Friday 18:10 in São Paulo, the company's default time zone. */
const FRIDAY_1810 = '2025-08-29T18:10:00-03:00';
const HAPPY_ORDER = {
  order_id: 'PED-42',
  order_value: 89.9,
  platform: 'pos',
  payment_method: 'pix',
  items: [
    { name: 'Pizza margherita', category: 'pizzas', quantity: 1, unit_price: 39.9 },
    { name: 'Suco', category: 'Bebidas', quantity: 2, unit_price: 25 },
  ],
  ordered_at: FRIDAY_1810,
};

/** What an integrator does with each request: verify it with `standardwebhooks`, then parse it. */
function verified(receiver: Receiver, secret: string) {
  return receiver.requests.map((request) => {
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    new Webhook(secret).verify(request.body, headers);
    return { event: parseEvent(request.body), body: request.body, sequence: headers['x-zupy-sequence'] };
  });
}

async function endpoint(): Promise<{ receiver: Receiver; secret: string }> {
  const receiver = await receivers.start();
  const created = await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url + '/hooks' });
  expect(created.status).toBe(201);
  return { receiver, secret: created.body.secret };
}

async function silverMember(): Promise<void> {
  // 100 welcome + 2500 = 2600: silver (2500), 200 short of gold (2800).
  const add = await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: 2500 });
  expect(add.body).toMatchObject({ tier: 'silver', balance_after: 2600 });
}

describe('POST /customers/{member_id}/orders/', () => {
  it('a category bonus in happy hour for a silver member earns the right points, sends points.earned then tier.upgraded', async () => {
    expect((await server.api.put('/api/v2/loyalty/program/', PROGRAM)).status).toBe(200);
    await silverMember();
    const { receiver, secret } = await endpoint();

    const res = await server.api.post(`/api/v2/customers/${memberId}/orders/`, HAPPY_ORDER);
    // 89.9 → 89; pizza +39.9 = 129.8 → 129 (+40); happy hour ×1.5 = 194.7 → 194 (+65);
    // silver ×1.25 = 243.375 → 243 (+49). 2600 + 243 = 2843: gold (2800).
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      transaction_id: expect.stringMatching(/^txn_[A-Za-z0-9]{24}$/),
      points_earned: 243,
      base_points: 89,
      bonus_points: 154,
      new_balance: 2843,
      tier: 'gold',
      tier_upgraded: true,
    });
    expect(Object.keys(res.body)).toEqual([
      'transaction_id',
      'points_earned',
      'base_points',
      'bonus_points',
      'new_balance',
      'tier',
      'tier_upgraded',
    ]);

    await receiver.waitFor(2);
    const [earned, upgraded] = verified(receiver, secret);
    expect(earned!.event.event).toBe('points.earned');
    expect(upgraded!.event.event).toBe('tier.upgraded');
    expect(Number(upgraded!.sequence)).toBe(Number(earned!.sequence) + 1);
    const body = JSON.parse(earned!.body) as PointsEarnedEvent;
    // The exact bytes: keys in the documented order at every level.
    expect(Object.keys(body)).toEqual([
      'event',
      'timestamp',
      'company_id',
      'customer',
      'transaction',
      'bonuses',
      'next_tier',
    ]);
    expect(body.customer).toEqual({
      member_id: memberId,
      whatsapp: '+5511965958122',
      email: 'joao@example.com',
      name: 'João Silva',
      tier: 'gold',
    });
    expect(Object.keys(body.customer)).toEqual(['member_id', 'whatsapp', 'email', 'name', 'tier']);
    expect(body.transaction).toEqual({
      transaction_id: res.body.transaction_id,
      order_id: 'PED-42',
      order_value: 89.9,
      platform: 'pos',
      points_earned: 243,
      base_points: 89,
      bonus_points: 154,
      new_balance: 2843,
      items_count: 3,
      payment_method: 'pix',
    });
    expect(Object.keys(body.transaction)).toEqual([
      'transaction_id',
      'order_id',
      'order_value',
      'platform',
      'points_earned',
      'base_points',
      'bonus_points',
      'new_balance',
      'items_count',
      'payment_method',
    ]);
    expect(body.bonuses).toEqual([
      { type: 'category_bonus', multiplier: 2, description: 'Pizzas ×2', bonus_points: 40 },
      { type: 'happy_hour', multiplier: 1.5, description: 'Happy hour 17:00–19:00 ×1.5', bonus_points: 65 },
      { type: 'tier_multiplier', multiplier: 1.25, description: 'Silver ×1.25', bonus_points: 49 },
    ]);
    expect(body.bonuses.map((b) => Object.keys(b))).toEqual(
      Array(3).fill(['type', 'multiplier', 'description', 'bonus_points']),
    );
    // Gold is the top tier of this program.
    expect(body.next_tier).toBeNull();
    expect((upgraded!.event as TierUpgradedEvent).tier_change).toMatchObject({
      previous_tier: 'silver',
      new_tier: 'gold',
      qualification_value: 2843,
    });

    const profile = (await server.api.get(`/api/v2/customers/${memberId}/`)).body;
    expect(profile).toMatchObject({
      points_balance: 2843,
      points_earned: 2843,
      total_spent: 89.9,
      transaction_count: 1,
      tier: 'gold',
    });
    const history = (await server.api.get(`/api/v2/customers/${memberId}/points/history/`)).body.data;
    expect(history[0]).toMatchObject({
      operation: 'order',
      amount: 243,
      balance_after: 2843,
      order_value: 89.9,
    });
  });

  it('the same order twice credits once: 200 with the first result, no entry, no event', async () => {
    const { receiver } = await endpoint();
    const first = await server.api.post(`/api/v2/customers/${memberId}/orders/`, HAPPY_ORDER);
    expect(first.status).toBe(201);
    await receiver.waitFor(1);
    const again = await server.api.post(`/api/v2/customers/${memberId}/orders/`, {
      ...HAPPY_ORDER,
      order_value: 500,
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    // Another platform's order with the same id is another order.
    const ifood = await server.api.post(`/api/v2/customers/${memberId}/orders/`, {
      ...HAPPY_ORDER,
      platform: 'ifood',
    });
    expect(ifood.status).toBe(201);
    expect(ifood.body.transaction_id).not.toBe(first.body.transaction_id);

    const profile = (await server.api.get(`/api/v2/customers/${memberId}/`)).body;
    expect(profile).toMatchObject({ total_spent: 179.8, transaction_count: 2 });
    const events = await server.runtime.ctx.db.selectFrom('events').select('type').orderBy('seq').execute();
    expect(events.map((e) => e.type)).toEqual(['customer.registered', 'points.earned', 'points.earned']);
    // Concurrent retries of a new order: still one credit.
    const racing = await Promise.all(
      Array.from({ length: 6 }, () =>
        server.api.post(`/api/v2/customers/${memberId}/orders/`, { ...HAPPY_ORDER, order_id: 'PED-43' }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(racing.map((r) => r.body.transaction_id)).size).toBe(1);
    expect((await server.api.get(`/api/v2/customers/${memberId}/`)).body.transaction_count).toBe(3);
  });

  it('the same order id for another member is a 409 naming order_id, and credits nobody', async () => {
    await server.api.post(`/api/v2/customers/${memberId}/orders/`, HAPPY_ORDER);
    const other = (await server.api.post('/api/v2/customers/', { phone: '11 97777-0001', name: 'Ana' })).body
      .customer.member_id;
    const res = await server.api.post(`/api/v2/customers/${other}/orders/`, HAPPY_ORDER);
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([
      { field: 'order_id', code: 'order_credited_elsewhere', detail: 'already credited to another member' },
    ]);
    expect((await server.api.get(`/api/v2/customers/${other}/`)).body).toMatchObject({
      points_balance: 100,
      transaction_count: 0,
    });
  });

  it('takes R$ 19,99 to the centavo; an order worth no point counts as a purchase without an event', async () => {
    const res = await server.api.post(`/api/v2/customers/${memberId}/orders/`, {
      order_id: 'A1',
      order_value: 19.99,
      platform: 'manual',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ points_earned: 19, base_points: 19, bonus_points: 0, new_balance: 119 });
    const tiny = await server.api.post(`/api/v2/customers/${memberId}/orders/`, {
      order_id: 'A2',
      order_value: 0.99,
      platform: 'manual',
    });
    expect(tiny.status).toBe(201);
    expect(tiny.body).toMatchObject({ points_earned: 0, new_balance: 119 });
    expect((await server.api.get(`/api/v2/customers/${memberId}/`)).body).toMatchObject({
      total_spent: 20.98,
      transaction_count: 2,
    });
    const events = await server.runtime.ctx.db.selectFrom('events').select('type').orderBy('seq').execute();
    expect(events.map((e) => e.type)).toEqual(['customer.registered', 'points.earned']);
    // points/add takes 19.99 too.
    const add = await server.api.post(`/api/v2/customers/${memberId}/points/add/`, {
      amount: 1,
      order_value: 19.99,
    });
    expect(add.status).toBe(200);
    expect((await server.api.get(`/api/v2/customers/${memberId}/`)).body.total_spent).toBe(40.97);
  });

  it('refuses bad orders with a 422 naming the field, and changes nothing', async () => {
    const path = `/api/v2/customers/${memberId}/orders/`;
    const cases: [Record<string, unknown>, string][] = [
      [{ ...HAPPY_ORDER, platform: 'rappi' }, 'platform'],
      [{ ...HAPPY_ORDER, order_value: 0 }, 'order_value'],
      [{ ...HAPPY_ORDER, order_value: 10.001 }, 'order_value'],
      [{ ...HAPPY_ORDER, order_value: '89,90' }, 'order_value'],
      [{ ...HAPPY_ORDER, order_id: '   ' }, 'order_id'],
      [{ ...HAPPY_ORDER, ordered_at: 'yesterday' }, 'ordered_at'],
      [{ ...HAPPY_ORDER, ordered_at: new Date(Date.now() + 3_600_000).toISOString() }, 'ordered_at'],
      [{ ...HAPPY_ORDER, items: [{ name: 'x', quantity: 0, unit_price: 1 }] }, 'items[0].quantity'],
      [{ ...HAPPY_ORDER, items: [HAPPY_ORDER.items[0], { name: 'x', quantity: 1 }] }, 'items[1].unit_price'],
    ];
    for (const [body, field] of cases) {
      const res = await server.api.post(path, body);
      expect(res.status, field).toBe(422);
      expect(
        res.body.errors.map((e: { field: string }) => e.field),
        field,
      ).toContain(field);
    }
    expect((await server.api.post('/api/v2/customers/ZP-00000000/orders/', HAPPY_ORDER)).status).toBe(404);
    expect((await server.api.get(`/api/v2/customers/${memberId}/`)).body).toMatchObject({
      points_balance: 100,
      transaction_count: 0,
    });
  });
});

describe('points/add records points.earned too', () => {
  it('a manual credit: platform manual, nulls, no bonuses, next_tier in the metric, before its tier.upgraded', async () => {
    const { receiver, secret } = await endpoint();
    const add = await server.api.post(`/api/v2/customers/${memberId}/points/add/`, {
      amount: 2400,
      reason: 'migration',
      order_value: 50,
    });
    expect(add.body).toMatchObject({ tier: 'silver', tier_upgraded: true });
    await receiver.waitFor(2);
    const [earned, upgraded] = verified(receiver, secret);
    expect(upgraded!.event.event).toBe('tier.upgraded');
    const event = earned!.event as PointsEarnedEvent;
    expect(event.transaction).toEqual({
      transaction_id: expect.stringMatching(/^txn_/),
      order_id: null,
      order_value: null,
      platform: 'manual',
      points_earned: 2400,
      base_points: 2400,
      bonus_points: 0,
      new_balance: 2500,
      items_count: 0,
      payment_method: null,
    });
    expect(event.bonuses).toEqual([]);
    expect(event.customer.tier).toBe('silver');
    expect(event.next_tier).toEqual({
      tier_name: 'gold',
      points_needed: 2500,
      progress_percentage: 50,
      benefits_preview: [],
    });
    // Spending is no credit: no points.earned.
    await server.api.post(`/api/v2/customers/${memberId}/points/spend/`, { amount: 10 });
    const events = await server.runtime.ctx.db.selectFrom('events').select('type').orderBy('seq').execute();
    expect(events.map((e) => e.type)).toEqual(['customer.registered', 'points.earned', 'tier.upgraded']);
  });
});
