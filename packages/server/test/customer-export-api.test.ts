import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let receiver: Receiver;
beforeAll(async () => {
  server = await startTestServer({ worker: true });
  receiver = await startReceiver();
  await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url });
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});

describe('GET /customers/{member_id}/export/', () => {
  it('gives profile, consent history, ledger and every event about them, as sent, in one document', async () => {
    const joao = (
      await server.api.post('/api/v2/customers/', {
        ...JOAO,
        channel: 'pos',
        marketing_opt_in: { whatsapp: true },
      })
    ).body.customer;
    const other = (
      await server.api.post('/api/v2/customers/', { phone: '(11) 93333-2222', name: 'Outra Pessoa' })
    ).body.customer;
    const id = joao.member_id;
    await server.api.post(`/api/v2/customers/${id}/points/add/`, {
      amount: 250,
      reason: 'jantar',
      order_value: 89.9,
    });
    await server.api.post(`/api/v2/customers/${id}/points/spend/`, { amount: 30 });
    await server.api.post(`/api/v2/customers/${other.member_id}/points/add/`, { amount: 5 });
    await server.api.request('PATCH', `/api/v2/customers/${id}/`, {
      email: 'joao.novo@example.com',
      marketing_opt_in: { whatsapp: false, email: true },
      channel: 'panel',
    });
    await receiver.waitForMembers([id]);
    await expect.poll(() => receiver.requests.filter((r) => r.body.includes(id)).length).toBe(3);

    const res = await server.api.get(`/api/v2/customers/ZP-${id.slice(3).toLowerCase()}/export/`);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="zupy-customer-${id}.json"`);
    const doc = res.body;
    expect(Object.keys(doc)).toEqual([
      'format',
      'exported_at',
      'company_id',
      'member_id',
      'profile',
      'consent_history',
      'ledger',
      'events',
      'coupons',
      'orders',
    ]);
    expect(doc.coupons).toEqual([]);
    expect(doc.orders).toEqual([]);
    expect(doc).toMatchObject({
      format: 'zupy.customer-export.v1',
      company_id: 'comp_bella_vista',
      member_id: id,
    });
    expect(doc.profile).toEqual((await server.api.get(`/api/v2/customers/${id}/`)).body);
    expect(doc.consent_history.map((c: any) => [c.medium, c.opted_in, c.channel])).toEqual([
      ['whatsapp', true, 'pos'],
      ['whatsapp', false, 'panel'],
      ['email', true, 'panel'],
    ]);
    for (const c of doc.consent_history) expect(c.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(
      doc.ledger.map((e: any) => [e.operation, e.amount, e.balance_after, e.reason, e.order_value]),
    ).toEqual([
      ['welcome', 100, 100, 'welcome reward', null],
      ['add', 250, 350, 'jantar', 89.9],
      ['spend', 30, 320, null, null],
    ]);
    expect(doc.events.map((e: any) => e.type)).toEqual([
      'customer.registered',
      'points.earned',
      'customer.updated',
    ]);
    // The payloads are the bodies the receiver got, byte for byte once serialized.
    const sent = receiver.requests.filter((r) => r.body.includes(id)).map((r) => JSON.parse(r.body));
    expect(doc.events.map((e: any) => e.payload)).toEqual(sent);
    // Nothing of the other member.
    expect(res.text).not.toContain(other.member_id);
    expect(res.text).not.toContain('Outra Pessoa');
  });

  it('lists the coupons they were issued, as the API shows them, another member’s left out', async () => {
    const member = (await server.api.post('/api/v2/customers/', { phone: '(11) 94444-1010', name: 'Cupom' }))
      .body.customer.member_id;
    const other = (await server.api.post('/api/v2/customers/', { phone: '(11) 94444-1011', name: 'Outro' }))
      .body.customer.member_id;
    const reward = (
      await server.api.post('/api/v2/rewards/', {
        name: 'Sobremesa',
        points_required: 50,
        discount_type: 'product_free',
        discount_value: 0,
        validity_days: 30,
      })
    ).body;
    expect(reward.id, JSON.stringify(reward)).toMatch(/^rwd_/);
    const mine = await server.api.post(`/api/v2/customers/${member}/rewards/${reward.id}/redeem/`, {});
    expect(mine.status, mine.text).toBe(201);
    const theirs = await server.api.post(`/api/v2/customers/${other}/rewards/${reward.id}/redeem/`, {});
    expect(theirs.status).toBe(201);
    const doc = (await server.api.get(`/api/v2/customers/${member}/export/`)).body;
    const listed = (await server.api.get(`/api/v2/customers/${member}/coupons/`)).body.data;
    expect(doc.coupons).toEqual(listed);
    // An order that earned points is listed too.
    const order = await server.api.post(`/api/v2/customers/${member}/orders/`, {
      order_id: 'EXP-1',
      order_value: 19.99,
      platform: 'pos',
      items: [{ name: 'Pizza', quantity: 1, unit_price: 19.99 }],
    });
    expect(order.status, order.text).toBe(201);
    const withOrder = (await server.api.get(`/api/v2/customers/${member}/export/`)).body;
    expect(withOrder.orders).toMatchObject([
      { transaction_id: order.body.transaction_id, order_id: 'EXP-1', order_value: 19.99, platform: 'pos' },
    ]);
    expect(doc.coupons.map((c: any) => [c.code ?? c.coupon_code, c.status])).toEqual([
      [mine.body.coupon_code, 'active'],
    ]);
  });

  it('is a 404 for another company’s member, an unknown one and an erased one', async () => {
    const c = (await server.api.post('/api/v2/customers/', { phone: '(11) 94444-5555', name: 'Para Apagar' }))
      .body.customer;
    const b = await server.newCompany('Outra');
    expect((await b.api.get(`/api/v2/customers/${c.member_id}/export/`)).status).toBe(404);
    expect((await server.api.get('/api/v2/customers/ZP-00000000/export/')).status).toBe(404);
    expect((await server.api.request('DELETE', `/api/v2/customers/${c.member_id}/`)).status).toBe(200);
    expect((await server.api.get(`/api/v2/customers/${c.member_id}/export/`)).status).toBe(404);
  });
});
