import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';
import { receiverPool } from './helpers/receiver.js';

let server: TestServer;
const receivers = receiverPool();
afterEach(async () => {
  await receivers.closeAll();
  await server?.close();
});

const DAY = 86_400_000;
/** The injected clock: tests move it instead of sleeping. */
let now = 0;
const clock = () => new Date(now);
/** The clock's time as the API shows it. */
const shown = () => new Date(now).toISOString().slice(0, 19) + 'Z';

const TEN_PCT = {
  name: '10% off',
  points_required: 300,
  discount_type: 'percentage',
  discount_value: 10,
  maximum_discount: 15,
  minimum_purchase: 50,
  validity_days: 7,
};

async function start(worker = false): Promise<void> {
  // Real time (receivers check the signature's timestamp), to the second, then moved by hand.
  now = Math.floor(Date.now() / 1000) * 1000;
  server = await startTestServer({ worker, ctx: { clock } });
}

async function member(phone = JOAO.phone, points = 2000): Promise<string> {
  const res = await server.api.post('/api/v2/customers/', { ...JOAO, phone, email: null, cpf: null });
  const memberId: string = res.body.customer.member_id;
  await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: points });
  return memberId;
}

async function couponOf(memberId: string, reward: Record<string, unknown> = TEN_PCT): Promise<string> {
  const created = await server.api.post('/api/v2/rewards/', reward);
  expect(created.status, created.text).toBe(201);
  const res = await server.api.post(`/api/v2/customers/${memberId}/rewards/${created.body.id}/redeem/`, {});
  expect(res.status, res.text).toBe(201);
  return res.body.coupon_code;
}

const validate = (memberId: string, code: string, body: unknown, headers?: Record<string, string>) =>
  server.api.post(`/api/v2/customers/${memberId}/coupons/${code}/validate/`, body, headers);

describe('validating a coupon at the counter', () => {
  it('applies the discount, marks it used and sends coupon.used with exactly the contract keys', async () => {
    await start(true);
    const r = await receivers.start();
    const ep = (await server.api.post('/api/v2/webhooks/endpoints/', { url: r.url })).body;
    const m = await member();
    const code = await couponOf(m);
    await r.waitFor(3); // customer.registered, points.earned, coupon.redeemed
    // The code in lower case is the same coupon.
    const res = await validate(m, code.toLowerCase(), {
      order_value: 120.1,
      platform: 'pos',
      order_id: 'PDV-1',
      location: 'Pinheiros',
      staff_member: 'Ana',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      customer_id: m,
      coupon_code: code,
      status: 'used',
      discount_applied: 12.01,
      final_value: 108.09,
      validated_at: shown(),
    });
    const [, , , req] = await r.waitFor(4);
    expect(req!.headers['x-zupy-event']).toBe('coupon.used');
    const body = new Webhook(ep.secret).verify(req!.body, {
      'webhook-id': String(req!.headers['webhook-id']),
      'webhook-timestamp': String(req!.headers['webhook-timestamp']),
      'webhook-signature': String(req!.headers['webhook-signature']),
    }) as any;
    expect(Object.keys(body)).toEqual(['event', 'timestamp', 'company_id', 'customer', 'usage']);
    expect(Object.keys(body.customer)).toEqual(['member_id', 'whatsapp', 'email', 'name', 'tier']);
    expect(body.usage).toEqual({
      coupon_code: code,
      reward_name: '10% off',
      discount_type: 'percentage',
      discount_applied: 12.01,
      order_value: 120.1,
      final_value: 108.09,
      location: 'Pinheiros',
      staff_member: 'Ana',
      platform: 'pos',
      order_id: 'PDV-1',
      items_affected: [],
    });
    expect(JSON.stringify(Object.keys(body.usage))).toBe(
      '["coupon_code","reward_name","discount_type","discount_applied","order_value","final_value","location","staff_member","platform","order_id","items_affected"]',
    );

    // Second validation: 409, nothing recorded.
    const again = await validate(m, code, { order_value: 120.1, platform: 'pos' });
    expect(again.status).toBe(409);
    expect(again.body.type).toContain('conflict');
    expect(again.body.detail).toContain('used');
    const types = (await server.runtime.ctx.db.selectFrom('events').select('type').execute()).map(
      (e) => e.type,
    );
    expect(types.filter((t) => t === 'coupon.used')).toHaveLength(1);

    const listed = (await server.api.get(`/api/v2/customers/${m}/coupons/`)).body.data;
    expect(listed).toMatchObject([
      {
        code,
        status: 'used',
        order_value: 120.1,
        discount_applied: 12.01,
        final_value: 108.09,
        platform: 'pos',
      },
    ]);
  });

  it('product_free and buy_one_get_one take their discount from items, listed in items_affected', async () => {
    await start();
    const m = await member();
    const dessert = await couponOf(m, {
      name: 'Sobremesa',
      points_required: 100,
      discount_type: 'product_free',
      maximum_discount: 20,
      validity_days: 7,
    });
    const items = [
      { name: 'Café', quantity: 2, unit_price: 6.5 },
      { name: 'Petit gâteau', quantity: 1, unit_price: 24.9 },
    ];
    const noItems = await validate(m, dessert, { order_value: 37.9, platform: 'manual' });
    expect(noItems.status).toBe(422);
    expect(noItems.body.errors).toEqual([
      { field: 'items', code: 'items_required', detail: expect.stringContaining('product_free') },
    ]);
    const free = await validate(m, dessert, { order_value: 37.9, platform: 'manual', items });
    expect(free.body).toMatchObject({ discount_applied: 20, final_value: 17.9 });
    const bogo = await couponOf(m, {
      name: 'Dobro',
      points_required: 100,
      discount_type: 'buy_one_get_one',
      validity_days: 7,
    });
    const res = await validate(m, bogo, { order_value: 37.9, platform: 'ifood', items });
    expect(res.body).toMatchObject({ discount_applied: 6.5, final_value: 31.4 });
    const event = await server.runtime.ctx.db
      .selectFrom('events')
      .select('body')
      .where('type', '=', 'coupon.used')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.body).usage.items_affected).toEqual([
      { name: 'Café', quantity: 1, unit_price: 6.5, discount_applied: 6.5 },
    ]);
  });

  it('refuses an order below minimum_purchase with 422 naming order_value, at the limit it applies', async () => {
    await start();
    const m = await member();
    const code = await couponOf(m);
    const below = await validate(m, code, { order_value: 49.99, platform: 'pos' });
    expect(below.status).toBe(422);
    expect(below.body.errors).toEqual([
      {
        field: 'order_value',
        code: 'below_minimum_purchase',
        detail: expect.stringContaining('50.00'),
        params: { minimum: '50.00' },
      },
    ]);
    const at = await validate(m, code, { order_value: 50, platform: 'pos' });
    expect(at.status).toBe(200);
    expect(at.body).toMatchObject({ discount_applied: 5, final_value: 45 });
  });

  it('a coupon past valid_until reads as expired everywhere and is refused with 409', async () => {
    await start();
    const m = await member();
    const code = await couponOf(m);
    now += 7 * DAY - 1000; // one second before the end: still active
    expect((await server.api.get(`/api/v2/coupons/issued/?code=${code}`)).body.data[0].status).toBe('active');
    now += 1000; // at valid_until
    expect(
      (await server.api.get(`/api/v2/coupons/issued/?code=${code.toLowerCase()}`)).body.data[0].status,
    ).toBe('expired');
    expect(
      (await server.api.get('/api/v2/coupons/issued/?status=expired')).body.data.map((c: any) => c.code),
    ).toEqual([code]);
    expect((await server.api.get('/api/v2/coupons/issued/?status=active')).body.data).toEqual([]);
    const res = await validate(m, code, { order_value: 100, platform: 'pos' });
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('expired');
    expect((await server.api.post(`/api/v2/coupons/${code}/cancel/`)).status).toBe(409);
  });

  it('replays a validation retried with its Idempotency-Key instead of a 409', async () => {
    await start();
    const m = await member();
    const code = await couponOf(m);
    const headers = { 'idempotency-key': 'pos-7-order-99' };
    const first = await validate(m, code, { order_value: 80, platform: 'pos' }, headers);
    now += 60_000;
    const retry = await validate(m, code, { order_value: 80, platform: 'pos' }, headers);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    const count = await server.runtime.ctx.db
      .selectFrom('events')
      .select('id')
      .where('type', '=', 'coupon.used')
      .execute();
    expect(count).toHaveLength(1);
    expect((await validate(m, code, { order_value: 80, platform: 'pos' })).status).toBe(409);
  });

  it('an Idempotency-Key is scoped to the member: the same key and body validates another member’s coupon too', async () => {
    await start();
    const a = await member();
    const b = await member('11 97777-0001');
    const codeA = await couponOf(a);
    const codeB = await couponOf(b);
    const headers = { 'idempotency-key': 'pos-7-order-99' };
    const first = await validate(a, codeA, { order_value: 80, platform: 'pos' }, headers);
    const second = await validate(b, codeB, { order_value: 80, platform: 'pos' }, headers);
    expect(first.status).toBe(200);
    expect(second.status, second.text).toBe(200);
    expect(second.body).toMatchObject({ customer_id: b, coupon_code: codeB, status: 'used' });
    // The same member and key for another of her coupons is another request under that key: a 422.
    const codeA2 = await couponOf(a);
    const reused = await validate(a, codeA2, { order_value: 80, platform: 'pos' }, headers);
    expect(reused.status).toBe(422);
    expect(reused.body.type).toContain('idempotency-key-reused');
  });

  it('GET /events/?type= lists the coupon events by name, with their bodies', async () => {
    await start();
    const m = await member();
    const code = await couponOf(m);
    await validate(m, code, { order_value: 100, platform: 'repediu' });
    const redeemed = (await server.api.get('/api/v2/events/?type=coupon.redeemed')).body.data;
    expect(redeemed.map((e: any) => [e.type, e.payload.coupon.coupon_code])).toEqual([
      ['coupon.redeemed', code],
    ]);
    const used = (await server.api.get('/api/v2/events/?type=coupon.used')).body.data;
    expect(used.map((e: any) => [e.type, e.payload.usage.platform])).toEqual([['coupon.used', 'repediu']]);
    expect((await server.api.get('/api/v2/events/?type=coupon.expired')).status).toBe(422);
  });

  it('another member’s coupon or another company’s is not found', async () => {
    await start();
    const m = await member();
    const other = await member('11 97777-0000');
    const code = await couponOf(m);
    expect((await validate(other, code, { order_value: 80, platform: 'pos' })).status).toBe(404);
    const b = await server.newCompany('B');
    expect(
      (
        await b.api.post(`/api/v2/customers/${m}/coupons/${code}/validate/`, {
          order_value: 80,
          platform: 'pos',
        })
      ).status,
    ).toBe(404);
    expect((await b.api.post(`/api/v2/coupons/${code}/cancel/`)).status).toBe(404);
    expect((await b.api.get(`/api/v2/coupons/${code}/`)).status).toBe(404);
    expect((await server.api.get(`/api/v2/coupons/${code.toLowerCase()}/`)).body.code).toBe(code);
    expect((await server.api.get('/api/v2/coupons/CZ-00000000/')).status).toBe(404);
    expect((await b.api.get('/api/v2/coupons/issued/')).body.data).toEqual([]);
    expect((await validate(m, code, { order_value: 80, platform: 'pos' })).status).toBe(200);
  });
});

describe('cancelling a coupon', () => {
  it('gives the points back (refund) and the stock back; a cancelled coupon is refused with 409', async () => {
    await start();
    const m = await member(JOAO.phone, 400); // 500 points
    const reward = (await server.api.post('/api/v2/rewards/', { ...TEN_PCT, stock: 1 })).body;
    const code = (await server.api.post(`/api/v2/customers/${m}/rewards/${reward.id}/redeem/`)).body
      .coupon_code;
    const res = await server.api.post(`/api/v2/coupons/${code.toLowerCase()}/cancel/`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      customer_id: m,
      coupon_code: code,
      status: 'cancelled',
      points_refunded: 300,
      new_balance: 500,
      cancelled_at: shown(),
    });
    const history = (await server.api.get(`/api/v2/customers/${m}/points/history/`)).body.data;
    expect(history.slice(0, 2).map((e: any) => [e.operation, e.amount, e.balance_after])).toEqual([
      ['refund', 300, 500],
      ['redeem', 300, 200],
    ]);
    expect((await server.api.get(`/api/v2/customers/${m}/`)).body).toMatchObject({
      points_balance: 500,
      points_spent: 0,
      points_earned: 500,
    });
    expect((await server.api.get(`/api/v2/rewards/${reward.id}/`)).body.stock).toBe(1);
    // A refund is no earning: the only points.earned is the credit of member().
    const earned = await server.runtime.ctx.db
      .selectFrom('events')
      .select('type')
      .where('type', '=', 'points.earned')
      .execute();
    expect(earned).toHaveLength(1);
    const used = await validate(m, code, { order_value: 100, platform: 'pos' });
    expect(used.status).toBe(409);
    expect(used.body.detail).toContain('cancelled');
    expect((await server.api.post(`/api/v2/coupons/${code}/cancel/`)).status).toBe(409);
    expect(
      (await server.api.get('/api/v2/coupons/issued/?status=cancelled')).body.data.map((c: any) => c.code),
    ).toEqual([code]);
    // The stock given back is redeemable again.
    expect((await server.api.post(`/api/v2/customers/${m}/rewards/${reward.id}/redeem/`)).status).toBe(201);
  });

  it('an Idempotency-Key is scoped to the coupon’s member: the same key cancels another member’s coupon; for another of the same member’s it is a 422', async () => {
    await start();
    const a = await member();
    const b = await member('11 97777-0001');
    const [codeA, codeB, codeA2] = [await couponOf(a), await couponOf(b), await couponOf(a)];
    const headers = { 'idempotency-key': 'cancel-1' };
    const cancel = (code: string) => server.api.post(`/api/v2/coupons/${code}/cancel/`, undefined, headers);
    const first = await cancel(codeA);
    const second = await cancel(codeB);
    expect(first.status, first.text).toBe(200);
    expect(second.status, second.text).toBe(200);
    expect(second.body).toMatchObject({ customer_id: b, coupon_code: codeB, status: 'cancelled' });
    expect((await cancel(codeA)).body).toEqual(first.body);
    const reused = await cancel(codeA2);
    expect(reused.status).toBe(422);
    expect(reused.body.type).toContain('idempotency-key-reused');
    expect(
      (await server.api.get('/api/v2/coupons/issued/?status=active')).body.data.map((c: any) => c.code),
    ).toEqual([codeA2]);
  });

  it('lists with filters and a cursor, the filters on a non-first element', async () => {
    await start();
    const a = await member();
    const b = await member('11 97777-0001');
    const reward = (await server.api.post('/api/v2/rewards/', TEN_PCT)).body;
    const codes: string[] = [];
    for (const m of [a, b, a, b]) {
      codes.push(
        (await server.api.post(`/api/v2/customers/${m}/rewards/${reward.id}/redeem/`)).body.coupon_code,
      );
    }
    await validate(b, codes[1]!, { order_value: 60, platform: 'pos' });
    const page1 = await server.api.get('/api/v2/coupons/issued/?page_size=3');
    expect(page1.body.data.map((c: any) => c.code)).toEqual([codes[3], codes[2], codes[1]]);
    const page2 = await server.api.get(
      `/api/v2/coupons/issued/?page_size=3&cursor=${page1.body.meta.cursor}`,
    );
    expect(page2.body.data.map((c: any) => c.code)).toEqual([codes[0]]);
    expect(
      (await server.api.get(`/api/v2/coupons/issued/?customer_id=${b}`)).body.data.map((c: any) => c.code),
    ).toEqual([codes[3], codes[1]]);
    expect(
      (await server.api.get(`/api/v2/coupons/issued/?status=used`)).body.data.map((c: any) => c.code),
    ).toEqual([codes[1]]);
    expect(
      (await server.api.get(`/api/v2/customers/${b}/coupons/?status=active`)).body.data.map(
        (c: any) => c.code,
      ),
    ).toEqual([codes[3]]);
    expect((await server.api.get('/api/v2/coupons/issued/?status=bogus')).status).toBe(422);
  });
});

describe('the welcome coupon', () => {
  const PROGRAM = {
    tiers_enabled: true,
    qualification_metric: 'points_balance',
    tiers: [{ name: 'bronze', threshold: 0 }],
  };

  it('a welcome reward {type: coupon, reward_id} issues a real CP- coupon that validates like any other', async () => {
    await start();
    const reward = (await server.api.post('/api/v2/rewards/', { ...TEN_PCT, stock: 0 })).body;
    const put = await server.api.put('/api/v2/loyalty/program/', {
      ...PROGRAM,
      welcome_reward: { type: 'coupon', reward_id: reward.id },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.welcome_reward).toEqual({ type: 'coupon', reward_id: reward.id });
    const reg = await server.api.post('/api/v2/customers/', JOAO);
    const m: string = reg.body.customer.member_id;
    const event = await server.runtime.ctx.db
      .selectFrom('events')
      .select('body')
      .where('type', '=', 'customer.registered')
      .executeTakeFirstOrThrow();
    const welcome = JSON.parse(event.body).welcome_reward;
    expect(welcome).toEqual({
      enabled: true,
      type: 'coupon',
      coupon_code: expect.stringMatching(/^CP-[0-9A-F]{8}$/),
    });
    // Only customer.registered: a welcome coupon spends no points and sends no coupon.redeemed.
    expect(
      (await server.runtime.ctx.db.selectFrom('events').select('type').execute()).map((e) => e.type),
    ).toEqual(['customer.registered']);
    const [coupon] = (await server.api.get(`/api/v2/customers/${m}/coupons/`)).body.data;
    expect(coupon).toMatchObject({
      code: welcome.coupon_code,
      kind: 'welcome',
      reward_id: reward.id,
      points_spent: 0,
      redemption_method: 'automatic',
      status: 'active',
    });
    // Out of stock for redemptions, yet the welcome coupon was issued; it validates.
    const used = await validate(m, welcome.coupon_code.toLowerCase(), { order_value: 200, platform: 'pos' });
    expect(used.status, used.text).toBe(200);
    expect(used.body).toMatchObject({
      coupon_code: welcome.coupon_code,
      discount_applied: 15,
      final_value: 185,
    });
    expect((await server.api.get(`/api/v2/rewards/${reward.id}/`)).body.stock).toBe(0);
  });

  it('refuses a reward_id that is not the company’s, or with another type, naming the field', async () => {
    await start();
    const bad = await server.api.put('/api/v2/loyalty/program/', {
      ...PROGRAM,
      welcome_reward: { type: 'coupon', reward_id: 'rwd_nope' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([
      {
        field: 'welcome_reward.reward_id',
        code: 'unknown_reward',
        detail: 'is not a reward of this company',
      },
    ]);
    const reward = (await server.api.post('/api/v2/rewards/', TEN_PCT)).body;
    const points = await server.api.put('/api/v2/loyalty/program/', {
      ...PROGRAM,
      welcome_reward: { type: 'points', points: 10, reward_id: reward.id },
    });
    expect(points.status).toBe(422);
    expect(points.body.errors.map((e: any) => e.field)).toEqual(['welcome_reward.reward_id']);
    const b = await server.newCompany('B');
    const other = await b.api.put('/api/v2/loyalty/program/', {
      ...PROGRAM,
      welcome_reward: { type: 'coupon', reward_id: reward.id },
    });
    expect(other.status).toBe(422);
    // A plain coupon welcome reward still gives a code and no coupon row (the seed's behaviour).
    await server.api.put('/api/v2/loyalty/program/', { ...PROGRAM, welcome_reward: { type: 'coupon' } });
    const reg = await server.api.post('/api/v2/customers/', JOAO);
    expect(reg.status).toBe(201);
    expect((await server.api.get('/api/v2/coupons/issued/')).body.data).toEqual([]);
  });
});
