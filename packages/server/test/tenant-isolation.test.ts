import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { JOAO, startTestServer, type ApiClient, type TestServer } from './helpers/test-server.js';

/**
 * Every route of the OpenAPI document, called by company B with company A's ids: 404 for A's
 * objects, nothing of A's in any answer, and A's data unchanged afterwards. The routes come from the
 * document itself, so a new route without a case here fails the test instead of escaping it.
 */

/** A valid body for each operation that takes one: a 404 must come from the tenant check, not a 422. */
const BODIES: Record<string, unknown> = {
  'POST /api/v2/customers/': { phone: '11 95555-0001', name: 'B Customer' },
  'PUT /api/v2/customers/{member_id}/tier/': { tier: 'gold' },
  'POST /api/v2/customers/{member_id}/points/add/': { amount: 10 },
  'POST /api/v2/customers/{member_id}/points/spend/': { amount: 1 },
  'PUT /api/v2/loyalty/program/': undefined, // filled with B's own program below
  'POST /api/v2/webhooks/endpoints/': { url: 'http://127.0.0.1:9/b' },
  'PATCH /api/v2/webhooks/endpoints/{id}/': { description: 'taken over' },
  'DELETE /api/v2/webhooks/endpoints/{id}/': undefined,
  'POST /api/v2/webhooks/endpoints/{id}/secret/rotate/': {},
  'POST /api/v2/webhooks/endpoints/{id}/replay/': { status: 'any' },
  'POST /api/v2/webhooks/endpoints/{id}/test/': {},
  'PUT /api/v2/integrations/webhooks/': { webhook_url: 'http://127.0.0.1:9/b2' },
  'POST /api/v2/integrations/webhooks/test/': {},
  'POST /api/v2/webhooks/deliveries/{id}/redeliver/': undefined,
  'PATCH /api/v2/me/': { notification_email: 'dono@company-b.example.com', language: 'en' },
  'POST /api/v2/rewards/': {
    name: 'B reward',
    points_required: 1,
    discount_type: 'product_free',
    validity_days: 1,
  },
  'PATCH /api/v2/rewards/{id}/': { active: false },
  'POST /api/v2/customers/{member_id}/rewards/{reward_id}/redeem/': {},
  'POST /api/v2/customers/{member_id}/coupons/{code}/validate/': { order_value: 100, platform: 'pos' },
  'POST /api/v2/coupons/{code}/cancel/': undefined,
  'PATCH /api/v2/customers/{member_id}/': { name: 'Taken Over', email: 'b@company-b.example.com' },
  'DELETE /api/v2/customers/{member_id}/': undefined,
  'POST /api/v2/customers/{member_id}/orders/': { order_id: 'B-1', order_value: 10, platform: 'pos' },
  'POST /api/v2/webhooks/integrations/{partner}/': [],
};

/** Which of A's ids goes into each path parameter. */
type Ids = {
  member_id: string;
  endpoint: string;
  delivery: string;
  event: string;
  name: string;
  reward: string;
  coupon: string;
};
const pathFor = (template: string, ids: Ids) =>
  template
    .replace('{member_id}', ids.member_id)
    .replace('{reward_id}', ids.reward)
    .replace('{code}', ids.coupon)
    .replace(
      '{id}',
      template.includes('/deliveries/')
        ? ids.delivery
        : template.includes('/rewards/')
          ? ids.reward
          : ids.endpoint,
    );

describe('tenant isolation over every route', () => {
  let server: TestServer;
  let receiver: Receiver;
  let a: ApiClient;
  let b: ApiClient;
  let ids: Ids;
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startTestServer({ worker: true });
    a = server.api;
    const endpoint = (await a.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).body;
    const customer = (await a.post('/api/v2/customers/', JOAO)).body.customer;
    await a.post(`/api/v2/customers/${customer.member_id}/points/add/`, { amount: 3000 });
    const reward = (
      await a.post('/api/v2/rewards/', {
        name: 'A reward',
        points_required: 100,
        discount_type: 'percentage',
        discount_value: 10,
        validity_days: 30,
      })
    ).body;
    const coupon = (await a.post(`/api/v2/customers/${customer.member_id}/rewards/${reward.id}/redeem/`, {}))
      .body;
    await receiver.waitFor(3);
    // Settled: A's view must not change by itself during the test.
    while ((await a.get('/api/v2/webhooks/deliveries/?status=pending')).body.data.length > 0)
      await new Promise((r) => setTimeout(r, 50));
    const delivery = (await a.get('/api/v2/webhooks/deliveries/')).body.data[0];
    ids = {
      member_id: customer.member_id,
      endpoint: endpoint.id,
      delivery: delivery.id,
      event: delivery.event_id,
      name: customer.name,
      reward: reward.id,
      coupon: coupon.coupon_code,
    };
    b = (await server.newCompany('Company B')).api;
    BODIES['PUT /api/v2/loyalty/program/'] = (await b.get('/api/v2/loyalty/program/')).body;
  });
  afterAll(async () => {
    await receiver.close();
    await server.close();
  });

  /** What company A sees of its own data. */
  const viewOfA = async () => {
    const paths = [
      `/api/v2/customers/${ids.member_id}/`,
      `/api/v2/customers/${ids.member_id}/points/history/`,
      '/api/v2/customers/',
      '/api/v2/webhooks/endpoints/',
      `/api/v2/webhooks/endpoints/${ids.endpoint}/secret/`,
      '/api/v2/webhooks/deliveries/',
      '/api/v2/events/',
      '/api/v2/loyalty/program/',
      '/api/v2/me/',
      '/api/v2/rewards/',
      `/api/v2/rewards/${ids.reward}/`,
      '/api/v2/coupons/issued/',
    ];
    // The worker's own measure of an endpoint (its adaptive in-flight limit, written as deliveries
    // are answered) is not something B could change: left out of the comparison.
    return Promise.all(
      paths.map(async (p) =>
        (await a.get(p)).text.replace(/"concurrency_limit":(null|\d+)/g, '"concurrency_limit":_'),
      ),
    );
  };

  it('company B gets 404 for A’s objects, sees nothing of A, and changes nothing of A', async () => {
    const document = (await a.get('/api/v2/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
    );
    expect(operations.length).toBeGreaterThan(25);
    const before = await viewOfA();
    const secretOfA = (await a.get(`/api/v2/webhooks/endpoints/${ids.endpoint}/secret/`)).body
      .secret as string;
    const traces = [
      ids.member_id,
      ids.endpoint,
      ids.delivery,
      ids.event,
      ids.name,
      secretOfA,
      ids.reward,
      ids.coupon,
    ];

    const checked: string[] = [];
    for (const { method, path } of operations) {
      const name = `${method} ${path}`;
      if (method !== 'GET' && !(name in BODIES)) throw new Error(`no body for ${name}: add one to BODIES`);
      const url = pathFor(path, ids);
      const res = await b.request(method, url, BODIES[name]);
      if (path.includes('{')) {
        expect(res.status, `${name}: ${res.text}`).toBe(404);
        expect(res.body.type, name).toContain('not-found');
      } else {
        expect(res.status, `${name}: ${res.text}`).toBeLessThan(400);
      }
      // A 404 may echo the id B sent; nothing else of A's may appear.
      for (const trace of traces.filter((t) => !url.includes(t)))
        expect(res.text, `${name} leaks ${trace}`).not.toContain(trace);
      checked.push(name);
    }

    // List filters naming A's ids find nothing of A's.
    for (const query of [
      `/api/v2/webhooks/deliveries/?endpoint_id=${ids.endpoint}`,
      `/api/v2/customers/?search=${encodeURIComponent(ids.name)}`,
      `/api/v2/customers/?search=${ids.member_id}`,
      `/api/v2/rewards/?customer_id=${ids.member_id}&redeemable=true`,
      `/api/v2/coupons/issued/?code=${ids.coupon}`,
      `/api/v2/coupons/issued/?customer_id=${ids.member_id}`,
    ]) {
      const res = await b.get(query);
      expect(res.status, `${query}: ${res.text}`).toBeLessThan(500);
      for (const trace of traces.filter((t) => !query.includes(encodeURIComponent(t))))
        expect(res.text, `${query} leaks ${trace}`).not.toContain(trace);
      if (res.status === 200)
        for (const row of res.body.data as Record<string, unknown>[])
          expect(Object.values(row), query).not.toContain(ids.endpoint);
    }

    expect(await viewOfA()).toEqual(before);
    expect(checked).toContain('POST /api/v2/webhooks/deliveries/{id}/redeliver/');
  });
});
