import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { onPostgres } from './helpers/test-database.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';
import { receiverPool, type ReceivedRequest } from './helpers/receiver.js';

let server: TestServer;
const receivers = receiverPool();
afterEach(async () => {
  await receivers.closeAll();
  await server?.close();
});

const DESSERT = {
  name: 'Sobremesa grátis',
  description: 'Uma sobremesa do cardápio',
  points_required: 500,
  discount_type: 'product_free',
  maximum_discount: 25,
  minimum_purchase: 50,
  validity_days: 30,
  terms: 'Um por pedido',
};

async function register(phone = JOAO.phone, points = 0): Promise<string> {
  const res = await server.api.post('/api/v2/customers/', { ...JOAO, phone, email: null, cpf: null });
  expect(res.status).toBe(201);
  const memberId: string = res.body.customer.member_id;
  if (points > 0) {
    expect(
      (await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: points })).status,
    ).toBe(200);
  }
  return memberId;
}

async function reward(body: Record<string, unknown> = DESSERT): Promise<any> {
  const res = await server.api.post('/api/v2/rewards/', body);
  expect(res.status, res.text).toBe(201);
  expect(res.headers.get('location')).toBe(`/api/v2/rewards/${res.body.id}/`);
  return res.body;
}

async function tableCounts() {
  const db = server.runtime.ctx.db;
  const count = async (table: 'coupons' | 'ledger_entries' | 'events') =>
    Number((await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return {
    coupons: await count('coupons'),
    ledger: await count('ledger_entries'),
    events: await count('events'),
  };
}

/** Verifies a delivery the way an integrator would, with the `standardwebhooks` package. */
function verified(secret: string, req: ReceivedRequest): any {
  return new Webhook(secret).verify(req.body, {
    'webhook-id': String(req.headers['webhook-id']),
    'webhook-timestamp': String(req.headers['webhook-timestamp']),
    'webhook-signature': String(req.headers['webhook-signature']),
  });
}

describe('the rewards catalog', () => {
  it('creates, reads, lists with a cursor and filters, archives and restocks', async () => {
    server = await startTestServer();
    const created = await reward({ ...DESSERT, stock: 3 });
    expect(created).toEqual({
      id: expect.stringMatching(/^rwd_[A-Za-z0-9]{24}$/),
      ...DESSERT,
      discount_value: 0,
      active: true,
      stock: 3,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      updated_at: expect.any(String),
    });
    // Exact to the centavo: 19.99 and 0.29 are not binary floats.
    const tenPct = await reward({
      name: '10% off',
      points_required: 1000,
      discount_type: 'percentage',
      discount_value: 12.5,
      maximum_discount: 19.99,
      minimum_purchase: 0.29,
      validity_days: 7,
    });
    expect(tenPct).toMatchObject({
      discount_value: 12.5,
      maximum_discount: 19.99,
      minimum_purchase: 0.29,
      stock: null,
    });
    const five = await reward({
      name: 'R$ 5',
      points_required: 200,
      discount_type: 'fixed_amount',
      discount_value: 5,
      validity_days: 1,
    });
    expect((await server.api.get(`/api/v2/rewards/${created.id}/`)).body).toEqual(created);
    const located = await server.api.post('/api/v2/rewards/', { ...DESSERT, name: 'Located' });
    expect(located.headers.get('location')).toBe(`/api/v2/rewards/${located.body.id}/`);
    await server.api.request('PATCH', `/api/v2/rewards/${located.body.id}/`, { active: false });

    const first = await server.api.get('/api/v2/rewards/?page_size=2&active=true');
    expect(first.body.data.map((r: any) => r.id)).toEqual([five.id, tenPct.id]);
    expect(first.body.meta.has_next).toBe(true);
    const second = await server.api.get(
      `/api/v2/rewards/?page_size=2&active=true&cursor=${first.body.meta.cursor}`,
    );
    expect(second.body.data.map((r: any) => r.id)).toEqual([created.id]);

    const archived = await server.api.request('PATCH', `/api/v2/rewards/${tenPct.id}/`, { active: false });
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ active: false, discount_value: 12.5, maximum_discount: 19.99 });
    expect((await server.api.get('/api/v2/rewards/?active=true')).body.data.map((r: any) => r.id)).toEqual([
      five.id,
      created.id,
    ]);
    expect((await server.api.get('/api/v2/rewards/?active=false')).body.data.map((r: any) => r.id)).toEqual([
      located.body.id,
      tenPct.id,
    ]);
    const restocked = await server.api.request('PATCH', `/api/v2/rewards/${created.id}/`, {
      stock: 0,
      name: 'Doce',
    });
    expect(restocked.body).toMatchObject({ stock: 0, name: 'Doce', points_required: 500 });
    const unlimited = await server.api.request('PATCH', `/api/v2/rewards/${created.id}/`, { stock: null });
    expect(unlimited.body.stock).toBeNull();

    // Affordable now: 100 welcome points + 150 buys the R$ 5 (200) only; archived ones never.
    const member = await register(JOAO.phone, 150);
    const noMember = await server.api.get('/api/v2/rewards/?redeemable=true');
    expect(noMember.status).toBe(422);
    expect(noMember.body.errors.map((e: any) => e.field)).toEqual(['customer_id']);
    const redeemable = await server.api.get(`/api/v2/rewards/?customer_id=${member}&redeemable=true`);
    expect(redeemable.body.data.map((r: any) => r.id)).toEqual([five.id]);
    await server.api.post(`/api/v2/customers/${member}/points/add/`, { amount: 300 });
    const more = await server.api.get(
      `/api/v2/rewards/?customer_id=ZP-${member.slice(3).toLowerCase()}&redeemable=true`,
    );
    expect(more.body.data.map((r: any) => r.id)).toEqual([five.id, created.id]);
  });

  it.each([
    [{ ...DESSERT, points_required: 0 }, 'points_required'],
    [{ ...DESSERT, validity_days: 0 }, 'validity_days'],
    [{ ...DESSERT, stock: -1 }, 'stock'],
    [{ ...DESSERT, discount_type: 'bogus' }, 'discount_type'],
    [{ ...DESSERT, maximum_discount: 1.001 }, 'maximum_discount'],
    [{ ...DESSERT, discount_value: 3 }, 'discount_value'],
    [{ ...DESSERT, discount_type: 'percentage', discount_value: 100.01 }, 'discount_value'],
    [{ ...DESSERT, discount_type: 'percentage' }, 'discount_value'],
    [{ ...DESSERT, discount_type: 'fixed_amount', discount_value: 10 }, 'maximum_discount'],
    [{ ...DESSERT, name: '' }, 'name'],
  ])('refuses %j naming %s', async (body, field) => {
    server = await startTestServer();
    const res = await server.api.post('/api/v2/rewards/', body);
    expect(res.status).toBe(422);
    // A nullable field may say both what it must be and that it may be null.
    expect([...new Set(res.body.errors.map((e: any) => e.field))]).toEqual([field]);
  });

  it('accepts a percentage of exactly 100 and refuses an empty PATCH; unknown ids are 404', async () => {
    server = await startTestServer();
    const full = await reward({
      ...DESSERT,
      discount_type: 'percentage',
      discount_value: 100,
      maximum_discount: null,
    });
    expect(full.discount_value).toBe(100);
    expect((await server.api.request('PATCH', `/api/v2/rewards/${full.id}/`, {})).status).toBe(422);
    expect((await server.api.get('/api/v2/rewards/rwd_nope/')).status).toBe(404);
    expect((await server.api.request('PATCH', '/api/v2/rewards/rwd_nope/', { active: false })).status).toBe(
      404,
    );
  });

  it('two PATCHes of different fields at once both take effect', async () => {
    server = await startTestServer();
    const dessert = await reward();
    for (let round = 1; round <= 5; round++) {
      const [byName, byPoints] = await Promise.all([
        server.api.request('PATCH', `/api/v2/rewards/${dessert.id}/`, { name: `Sobremesa ${round}` }),
        server.api.request('PATCH', `/api/v2/rewards/${dessert.id}/`, { points_required: 500 + round }),
      ]);
      expect([byName.status, byPoints.status]).toEqual([200, 200]);
      const now = (await server.api.get(`/api/v2/rewards/${dessert.id}/`)).body;
      expect([now.name, now.points_required]).toEqual([`Sobremesa ${round}`, 500 + round]);
    }
  });
});

describe('redeeming a reward', () => {
  it('debits the ledger, issues a CZ- coupon and sends coupon.redeemed with exactly the contract keys', async () => {
    server = await startTestServer({ worker: true });
    const r = await receivers.start();
    const ep = (await server.api.post('/api/v2/webhooks/endpoints/', { url: r.url + '/hooks' })).body;
    const member = await register(JOAO.phone, 2400); // 2,500: silver
    const dessert = await reward();
    await r.waitFor(3); // customer.registered, points.earned, tier.upgraded

    const res = await server.api.post(`/api/v2/customers/${member}/rewards/${dessert.id}/redeem/`, {
      redemption_method: 'app',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({
      customer_id: member,
      coupon_code: expect.stringMatching(/^CZ-[0-9A-Z]{8}$/),
      points_used: 500,
      new_balance: 2000,
      valid_until: expect.any(String),
      created_at: expect.any(String),
    });
    expect(Date.parse(res.body.valid_until) - Date.parse(res.body.created_at)).toBe(30 * 86_400_000);
    const location = res.headers.get('location');
    expect(location).toBe(`/api/v2/coupons/${res.body.coupon_code}/`);
    expect((await server.api.get(location!)).body).toMatchObject({
      code: res.body.coupon_code,
      customer_id: member,
      reward_id: dessert.id,
      kind: 'redeemed',
      status: 'active',
      points_spent: 500,
      redemption_method: 'app',
      valid_until: res.body.valid_until,
    });

    const [, , , req] = await r.waitFor(4);
    expect(req!.headers['x-zupy-event']).toBe('coupon.redeemed');
    expect(req!.headers['x-zupy-sequence']).toBe('4');
    const body = verified(ep.secret, req!);
    expect(JSON.stringify(Object.keys(body))).toBe(
      '["event","timestamp","company_id","customer","coupon","discount_details"]',
    );
    expect(Object.keys(body.customer)).toEqual(['member_id', 'whatsapp', 'email', 'name', 'tier']);
    expect(Object.keys(body.coupon)).toEqual([
      'coupon_code',
      'reward_id',
      'reward_name',
      'reward_description',
      'points_spent',
      'new_balance',
      'expires_at',
      'terms',
      'redemption_method',
    ]);
    expect(Object.keys(body.discount_details)).toEqual([
      'discount_type',
      'discount_value',
      'maximum_discount',
      'minimum_purchase',
    ]);
    expect(body).toMatchObject({
      event: 'coupon.redeemed',
      company_id: server.companyId,
      customer: {
        member_id: member,
        whatsapp: '+5511965958122',
        email: null,
        name: 'João Silva',
        tier: 'silver',
      },
      coupon: {
        coupon_code: res.body.coupon_code,
        reward_id: dessert.id,
        reward_name: 'Sobremesa grátis',
        reward_description: 'Uma sobremesa do cardápio',
        points_spent: 500,
        new_balance: 2000,
        expires_at: res.body.valid_until,
        terms: 'Um por pedido',
        redemption_method: 'app',
      },
      discount_details: {
        discount_type: 'product_free',
        discount_value: 0,
        maximum_discount: 25,
        minimum_purchase: 50,
      },
    });

    // The ledger says redeem, and the tier stays silver below its threshold.
    const history = await server.api.get(`/api/v2/customers/${member}/points/history/`);
    expect(history.body.data[0]).toMatchObject({
      operation: 'redeem',
      amount: 500,
      balance_before: 2500,
      balance_after: 2000,
    });
    expect((await server.api.get(`/api/v2/customers/${member}/`)).body).toMatchObject({
      tier: 'silver',
      points_balance: 2000,
      points_spent: 500,
    });
  });

  it('refuses a member who cannot afford it with 422 insufficient-balance and writes nothing', async () => {
    server = await startTestServer();
    const member = await register(JOAO.phone, 399); // 499 points, one short
    const dessert = await reward({ ...DESSERT, stock: 1 });
    const before = await tableCounts();
    const res = await server.api.post(`/api/v2/customers/${member}/rewards/${dessert.id}/redeem/`, {});
    expect(res.status).toBe(422);
    expect(res.body.type).toContain('insufficient-balance');
    expect(res.body.errors).toEqual([
      {
        field: 'points_required',
        code: 'exceeds_balance',
        detail: 'exceeds the balance of 499 points',
        params: { balance: 499 },
      },
    ]);
    expect(await tableCounts()).toEqual(before);
    expect((await server.api.get(`/api/v2/rewards/${dessert.id}/`)).body.stock).toBe(1);
    // At exactly the price it goes through, down to 0, and takes the last one of the stock.
    await server.api.post(`/api/v2/customers/${member}/points/add/`, { amount: 1 });
    const exact = await server.api.post(`/api/v2/customers/${member}/rewards/${dessert.id}/redeem/`);
    expect(exact.status, exact.text).toBe(201);
    expect(exact.body.new_balance).toBe(0);
    expect((await server.api.get(`/api/v2/rewards/${dessert.id}/`)).body.stock).toBe(0);
  });

  it('refuses an archived or sold-out reward with 409, an unknown one with 404, and another company’s as unknown', async () => {
    server = await startTestServer();
    const member = await register(JOAO.phone, 5000);
    const dessert = await reward({ ...DESSERT, stock: 1 });
    expect((await server.api.post(`/api/v2/customers/${member}/rewards/${dessert.id}/redeem/`)).status).toBe(
      201,
    );
    const before = await tableCounts();
    const soldOut = await server.api.post(`/api/v2/customers/${member}/rewards/${dessert.id}/redeem/`);
    expect(soldOut.status).toBe(409);
    expect(soldOut.body.detail).toContain('out of stock');
    const other = await reward();
    await server.api.request('PATCH', `/api/v2/rewards/${other.id}/`, { active: false });
    const archived = await server.api.post(`/api/v2/customers/${member}/rewards/${other.id}/redeem/`);
    expect(archived.status).toBe(409);
    expect(archived.body.detail).toContain('archived');
    expect(await tableCounts()).toEqual(before);
    expect((await server.api.post(`/api/v2/customers/${member}/rewards/rwd_nope/redeem/`)).status).toBe(404);
    const b = await server.newCompany('Other');
    expect((await b.api.post(`/api/v2/customers/${member}/rewards/${other.id}/redeem/`)).status).toBe(404);
    expect((await b.api.get(`/api/v2/rewards/${other.id}/`)).status).toBe(404);
    expect((await b.api.get('/api/v2/rewards/')).body.data).toEqual([]);
  });

  it('20 concurrent redemptions of a reward with stock 5 issue exactly 5 coupons', async () => {
    server = await startTestServer();
    const dessert = await reward({ ...DESSERT, stock: 5 });
    const members: string[] = [];
    for (let i = 0; i < 20; i++) members.push(await register(`11 9${String(10000000 + i)}`, 400));
    const results = await Promise.all(
      members.map((m) => server.api.post(`/api/v2/customers/${m}/rewards/${dessert.id}/redeem/`)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(5).fill(201), ...Array(15).fill(409)]);
    const db = server.runtime.ctx.db;
    expect(await db.selectFrom('coupons').selectAll().execute()).toHaveLength(5);
    expect(
      await db.selectFrom('ledger_entries').selectAll().where('operation', '=', 'redeem').execute(),
    ).toHaveLength(5);
    expect(
      await db.selectFrom('events').selectAll().where('type', '=', 'coupon.redeemed').execute(),
    ).toHaveLength(5);
    expect((await server.api.get(`/api/v2/rewards/${dessert.id}/`)).body.stock).toBe(0);
  });

  it('redeems with no body at all, like {} (the defaults)', async () => {
    server = await startTestServer();
    const member = await register(JOAO.phone, 900);
    const dessert = await reward();
    const res = await fetch(`${server.url}/api/v2/customers/${member}/rewards/${dessert.id}/redeem/`, {
      method: 'POST',
      headers: { 'x-api-key': server.apiKey },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ customer_id: member, points_used: 500, new_balance: 500 });
  });

  it('replays an Idempotency-Key: one coupon, one debit; another method with the key is a 422', async () => {
    server = await startTestServer();
    const member = await register(JOAO.phone, 2000);
    const dessert = await reward();
    const url = `/api/v2/customers/${member}/rewards/${dessert.id}/redeem/`;
    const headers = { 'idempotency-key': 'redeem-1' };
    const first = await server.api.post(url, { redemption_method: 'website' }, headers);
    const again = await server.api.post(url, { redemption_method: 'website' }, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect((await tableCounts()).coupons).toBe(1);
    const other = await server.api.post(url, { redemption_method: 'app' }, headers);
    expect(other.status).toBe(422);
    expect(other.body.type).toContain('idempotency-key-reused');
    expect((await server.api.get(`/api/v2/customers/${member}/`)).body.points_balance).toBe(1600);
  });

  it('an Idempotency-Key is scoped to the member: the same key and body for another member redeems for them too', async () => {
    server = await startTestServer();
    const joao = await register(JOAO.phone, 2000);
    const bia = await register('11 98811-0001', 2000);
    const dessert = await reward();
    const headers = { 'idempotency-key': 'redeem-1' };
    const body = { redemption_method: 'website' };
    const first = await server.api.post(
      `/api/v2/customers/${joao}/rewards/${dessert.id}/redeem/`,
      body,
      headers,
    );
    const second = await server.api.post(
      `/api/v2/customers/${bia}/rewards/${dessert.id}/redeem/`,
      body,
      headers,
    );
    expect(first.status).toBe(201);
    expect(second.status, second.text).toBe(201);
    expect(second.body).toMatchObject({ customer_id: bia, new_balance: 1600 });
    expect(second.body.coupon_code).not.toBe(first.body.coupon_code);
    expect((await tableCounts()).coupons).toBe(2);
    // Each retried replays its own coupon.
    const biaAgain = await server.api.post(
      `/api/v2/customers/${bia}/rewards/${dessert.id}/redeem/`,
      body,
      headers,
    );
    expect(biaAgain.body).toEqual(second.body);
    expect((await tableCounts()).coupons).toBe(2);
  });

  it('a failure forced after the event insert leaves no coupon, no ledger entry and no event', async () => {
    server = await startTestServer();
    const member = await register(JOAO.phone, 1000);
    const dessert = await reward({ ...DESSERT, stock: 2 });
    const db = server.runtime.ctx.db;
    if (onPostgres) {
      await sql`create function fail_on_coupon() returns trigger language plpgsql as $$
        begin raise exception 'forced failure after the coupon.redeemed insert'; end $$`.execute(db);
      await sql`create trigger fail_on_coupon after insert on events for each row when (new.type = 'coupon.redeemed') execute function fail_on_coupon()`.execute(
        db,
      );
    } else {
      await sql`create trigger fail_on_coupon after insert on events when new.type = 'coupon.redeemed'
        begin select raise(abort, 'forced failure after the coupon.redeemed insert'); end`.execute(db);
    }
    const before = await tableCounts();
    const res = await server.api.post(`/api/v2/customers/${member}/rewards/${dessert.id}/redeem/`);
    expect(res.status).toBe(500);
    expect(res.body.detail).not.toContain('forced');
    expect(await tableCounts()).toEqual(before);
    expect((await server.api.get(`/api/v2/customers/${member}/`)).body.points_balance).toBe(1100);
    expect((await server.api.get(`/api/v2/rewards/${dessert.id}/`)).body.stock).toBe(2);
    await sql`drop trigger fail_on_coupon${onPostgres ? sql` on events` : sql``}`.execute(db);
    expect((await server.api.post(`/api/v2/customers/${member}/rewards/${dessert.id}/redeem/`)).status).toBe(
      201,
    );
  });
});
