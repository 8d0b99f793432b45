import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(() => server.close());

const DEFAULT = {
  tiers_enabled: true,
  qualification_metric: 'points_balance',
  tiers: [
    { name: 'bronze', threshold: 0 },
    { name: 'silver', threshold: 2500 },
    { name: 'gold', threshold: 5000 },
    { name: 'platinum', threshold: 10000 },
    { name: 'vip', threshold: 20000 },
  ],
  welcome_reward: { type: 'points', points: 100 },
};

/** What GET answers for DEFAULT: every field, the ones DEFAULT leaves out at their defaults. */
const DEFAULT_READ = {
  ...DEFAULT,
  tiers: DEFAULT.tiers.map((t) => ({ ...t, points_multiplier: 1, benefits: [] })),
  earning: { points_per_currency: 1, rounding: 'floor', bonuses: [] },
  point_expiration_days: 0,
};

async function events(): Promise<{ type: string; body: any }[]> {
  const rows = await server.runtime.ctx.db
    .selectFrom('events')
    .select(['type', 'body'])
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ type: r.type, body: JSON.parse(r.body) }));
}

describe('loyalty program', () => {
  it('starts with the contract’s default program', async () => {
    const res = await server.api.get('/api/v2/loyalty/program/');
    expect(res.body).toEqual(DEFAULT_READ);
  });

  it('welcome points that cross a threshold give customer.registered, then tier.upgraded', async () => {
    await server.api.put('/api/v2/loyalty/program/', {
      ...DEFAULT,
      welcome_reward: { type: 'points', points: 3000 },
    });
    const res = await server.api.post('/api/v2/customers/', { phone: '11 98888-0001', name: 'Lucky' });
    expect(res.body.customer.tier).toBe('silver');
    const list = await events();
    expect(list.map((e) => e.type)).toEqual(['customer.registered', 'tier.upgraded']);
    expect(list[0]!.body.customer.tier).toBe('bronze');
    expect(list[0]!.body.welcome_reward).toEqual({ enabled: true, type: 'points', points_awarded: 3000 });
    expect(list[1]!.body.tier_change).toMatchObject({
      previous_tier: 'bronze',
      new_tier: 'silver',
      qualification_value: 3000,
    });
  });

  it('a coupon welcome reward gives a CP- code and credits no points', async () => {
    await server.api.put('/api/v2/loyalty/program/', { ...DEFAULT, welcome_reward: { type: 'coupon' } });
    const res = await server.api.post('/api/v2/customers/', { phone: '11 98888-0002', name: 'Coupon' });
    expect(res.body.customer.points_balance).toBe(0);
    const [registered] = await events();
    expect(registered!.body.welcome_reward).toEqual({
      enabled: true,
      type: 'coupon',
      coupon_code: expect.stringMatching(/^CP-[0-9A-F]{8}$/),
    });
  });

  it('no welcome reward, tiers off: tier default and no tier events', async () => {
    await server.api.put('/api/v2/loyalty/program/', {
      ...DEFAULT,
      tiers_enabled: false,
      welcome_reward: { type: 'none' },
    });
    const res = await server.api.post('/api/v2/customers/', { phone: '11 98888-0003', name: 'Plain' });
    expect(res.body.customer.tier).toBe('default');
    await server.api.post(`/api/v2/customers/${res.body.customer.member_id}/points/add/`, { amount: 50_000 });
    const list = await events();
    expect(list.map((e) => e.type)).toEqual(['customer.registered', 'points.earned']);
    expect(list[1]!.body.next_tier).toBeNull();
    expect(list[0]!.body.welcome_reward).toEqual({ enabled: false, type: 'none' });
    expect(list[0]!.body.customer.tier).toBe('default');
  });

  it('qualifies on transaction_count', async () => {
    await server.api.put('/api/v2/loyalty/program/', {
      ...DEFAULT,
      qualification_metric: 'transaction_count',
      tiers: [
        { name: 'bronze', threshold: 0 },
        { name: 'gold', threshold: 2 },
      ],
    });
    const id = (await server.api.post('/api/v2/customers/', { phone: '11 98888-0004', name: 'Regular' })).body
      .customer.member_id;
    await server.api.post(`/api/v2/customers/${id}/points/add/`, { amount: 1, order_value: 10 });
    const second = await server.api.post(`/api/v2/customers/${id}/points/add/`, {
      amount: 1,
      order_value: 10,
    });
    expect(second.body.tier).toBe('gold');
    expect((await events()).find((e) => e.type === 'tier.upgraded')!.body.tier_change).toMatchObject({
      qualification_metric: 'transaction_count',
      qualification_value: 2,
      next_tier_requirements: null,
    });
  });

  it.each([
    [
      {
        ...DEFAULT,
        tiers: [
          { name: 'silver', threshold: 10 },
          { name: 'bronze', threshold: 5 },
        ],
      },
      ['tiers[1].threshold'],
    ],
    [
      {
        ...DEFAULT,
        tiers: [
          { name: 'gold', threshold: 0 },
          { name: 'gold', threshold: 5 },
        ],
      },
      ['tiers[1].name'],
    ],
    [{ ...DEFAULT, tiers: [{ name: 'diamond', threshold: 0 }] }, ['tiers[0].name']],
    [{ ...DEFAULT, welcome_reward: { type: 'points' } }, ['welcome_reward.points']],
    [{ ...DEFAULT, qualification_metric: 'vibes' }, ['qualification_metric']],
    [{ ...DEFAULT, tiers: [] }, ['tiers']],
  ])('rejects an invalid program naming the fields (%#)', async (body, fields) => {
    const res = await server.api.put('/api/v2/loyalty/program/', body);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: any) => e.field)).toEqual(fields);
    expect((await server.api.get('/api/v2/loyalty/program/')).body).toEqual(DEFAULT_READ);
  });
});

describe('earning rules in the program', () => {
  const EARNING = {
    points_per_currency: 2.5,
    rounding: 'round',
    bonuses: [
      { type: 'category_bonus', category: ' Pizzas ', multiplier: 2 },
      {
        type: 'happy_hour',
        weekdays: ['fri', 'sat'],
        start: '17:00',
        end: '19:00',
        multiplier: 1.5,
        description: 'Happy hour!',
      },
      { type: 'special_promotion', start_date: '2025-11-28', end_date: '2025-11-30', multiplier: 3 },
    ],
  };

  it('stores them with the tiers’ multipliers and benefits, generating the descriptions left out', async () => {
    const tiers = [
      { name: 'bronze', threshold: 0 },
      {
        name: 'silver',
        threshold: 2500,
        points_multiplier: 1.25,
        benefits: ['Café grátis', ' Mesa preferencial '],
      },
    ];
    const put = await server.api.put('/api/v2/loyalty/program/', {
      ...DEFAULT,
      tiers,
      earning: EARNING,
      point_expiration_days: 365,
    });
    expect(put.status).toBe(200);
    const expected = {
      ...DEFAULT,
      tiers: [
        { name: 'bronze', threshold: 0, points_multiplier: 1, benefits: [] },
        {
          name: 'silver',
          threshold: 2500,
          points_multiplier: 1.25,
          benefits: ['Café grátis', 'Mesa preferencial'],
        },
      ],
      earning: {
        points_per_currency: 2.5,
        rounding: 'round',
        bonuses: [
          { type: 'category_bonus', category: 'Pizzas', multiplier: 2, description: 'Pizzas ×2' },
          {
            type: 'happy_hour',
            weekdays: ['fri', 'sat'],
            start: '17:00',
            end: '19:00',
            multiplier: 1.5,
            description: 'Happy hour!',
          },
          {
            type: 'special_promotion',
            start_date: '2025-11-28',
            end_date: '2025-11-30',
            multiplier: 3,
            description: 'Promotion 2025-11-28 to 2025-11-30 ×3',
          },
        ],
      },
      point_expiration_days: 365,
    };
    expect(put.body).toEqual(expected);
    expect((await server.api.get('/api/v2/loyalty/program/')).body).toEqual(expected);
    // What GET gives, PUT takes back unchanged (the admin panel saves what it read).
    expect((await server.api.put('/api/v2/loyalty/program/', expected)).body).toEqual(expected);
  });

  const bonus = (i: number, change: Record<string, unknown>) => ({
    ...DEFAULT,
    earning: { ...EARNING, bonuses: EARNING.bonuses.map((b, j) => (j === i ? { ...b, ...change } : b)) },
  });
  it.each([
    [bonus(1, { end: '17:00' }), ['earning.bonuses[1].end']],
    [bonus(1, { end: '16:59' }), ['earning.bonuses[1].end']],
    [bonus(1, { start: '24:00' }), ['earning.bonuses[1].start']],
    [bonus(1, { weekdays: ['fri', 'fri'] }), ['earning.bonuses[1].weekdays']],
    [bonus(1, { weekdays: ['friday'] }), ['earning.bonuses[1].weekdays[0]']],
    [bonus(1, { weekdays: undefined }), ['earning.bonuses[1].weekdays']],
    [bonus(2, { start_date: '2025-02-30' }), ['earning.bonuses[2].start_date']],
    [bonus(2, { end_date: '2025-11-27' }), ['earning.bonuses[2].end_date']],
    [bonus(2, { category: 'Pizzas' }), ['earning.bonuses[2].category']],
    [bonus(0, { multiplier: 0.99 }), ['earning.bonuses[0].multiplier']],
    [bonus(0, { multiplier: 100.01 }), ['earning.bonuses[0].multiplier']],
    [bonus(0, { type: 'birthday' }), ['earning.bonuses[0].type']],
    [
      {
        ...DEFAULT,
        earning: {
          ...EARNING,
          bonuses: [...EARNING.bonuses, { type: 'category_bonus', category: 'pizzas', multiplier: 3 }],
        },
      },
      ['earning.bonuses[3].category'],
    ],
    [{ ...DEFAULT, earning: { ...EARNING, points_per_currency: 0 } }, ['earning.points_per_currency']],
    [{ ...DEFAULT, earning: { ...EARNING, points_per_currency: 1.005 } }, ['earning.points_per_currency']],
    [{ ...DEFAULT, earning: { ...EARNING, rounding: 'ceil' } }, ['earning.rounding']],
    [{ ...DEFAULT, point_expiration_days: -1 }, ['point_expiration_days']],
    [{ ...DEFAULT, point_expiration_days: 3651 }, ['point_expiration_days']],
    [
      { ...DEFAULT, tiers: [{ name: 'bronze', threshold: 0, points_multiplier: 0.5 }] },
      ['tiers[0].points_multiplier'],
    ],
    [{ ...DEFAULT, tiers: [{ name: 'bronze', threshold: 0, benefits: ['a', 'a'] }] }, ['tiers[0].benefits']],
  ])('refuses bad earning rules naming the field (%#)', async (body, fields) => {
    const res = await server.api.put('/api/v2/loyalty/program/', body);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: any) => e.field)).toEqual(fields);
    expect((await server.api.get('/api/v2/loyalty/program/')).body).toEqual(DEFAULT_READ);
  });

  it('takes every limit: multipliers 1 and 100, 0.01 point per real, 3650 days', async () => {
    const res = await server.api.put('/api/v2/loyalty/program/', {
      ...DEFAULT,
      tiers: [{ name: 'bronze', threshold: 0, points_multiplier: 100 }],
      earning: {
        points_per_currency: 0.01,
        rounding: 'floor',
        bonuses: [{ ...EARNING.bonuses[0], multiplier: 1 }],
      },
      point_expiration_days: 3650,
    });
    expect(res.status).toBe(200);
    expect(res.body.point_expiration_days).toBe(3650);
  });
});
