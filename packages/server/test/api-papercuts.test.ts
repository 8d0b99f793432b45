import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findReplayable } from '../src/delivery/replay-deliveries.js';
import { ACCENTED, UNACCENTED, foldText } from '../src/db/folded-text.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * The API papercuts of issue 18 (item 5), each as a user meets it: a POST of optional fields takes
 * no body; `webhook_url: ""` disables; an enum error lists the allowed values; every timestamp has
 * second precision; `X-RateLimit-Reset` is epoch seconds; a 201 has `Location`; search ignores case
 * and accents — on SQLite and on PostgreSQL.
 */

let server: TestServer;
let failing: Receiver;
beforeAll(async () => {
  server = await startTestServer({ worker: { pollMs: 100 }, env: { ZUPY_RETRY_SCHEDULE: '0s,200ms,1h' } });
  failing = await startReceiver(() => ({ status: 500 }));
});
afterAll(async () => {
  await server.close();
  await failing.close();
});

/** A POST with no body and no Content-Type, the way `curl -X POST URL` sends it. */
const bare = (path: string) =>
  fetch(server.url + path, { method: 'POST', headers: { 'x-api-key': server.apiKey } });

describe('a POST whose fields are all optional', () => {
  it('takes no body at all; one with a required field still says what is missing', async () => {
    const endpoint = (await server.api.post('/api/v2/webhooks/endpoints/', { url: `${failing.url}/bare` }))
      .body;
    const test = await bare(`/api/v2/webhooks/endpoints/${endpoint.id}/test/`);
    expect(test.status).toBe(200);
    expect(await test.json()).toMatchObject({ success: false, status_code: 500 });
    const rotate = await bare(`/api/v2/webhooks/endpoints/${endpoint.id}/secret/rotate/`);
    expect(rotate.status).toBe(200);
    const single = await bare('/api/v2/integrations/webhooks/test/');
    expect(single.status).toBe(200);

    const register = await bare('/api/v2/customers/');
    expect(register.status).toBe(422);
    expect((await register.json()).errors).toEqual([
      { field: 'body', code: 'wrong_type', detail: 'must be object', params: { type: 'object' } },
    ]);

    const doc = (await server.api.get('/api/v2/openapi.json')).body;
    expect(doc.paths['/api/v2/webhooks/endpoints/{id}/test/'].post.requestBody.required).toBe(false);
    expect(doc.paths['/api/v2/integrations/webhooks/test/'].post.requestBody.required).toBe(false);
    expect(doc.paths['/api/v2/customers/'].post.requestBody.required).toBe(true);
    await server.api.request('DELETE', `/api/v2/webhooks/endpoints/${endpoint.id}/`);
  });
});

describe('the single-URL webhook', () => {
  it('is disabled by "" as by null, and an over-long URL gets one message, not two', async () => {
    const set = await server.api.put('/api/v2/integrations/webhooks/', {
      webhook_url: `${failing.url}/single`,
    });
    expect(set.status).toBe(200);
    const [first] = (await server.api.get('/api/v2/webhooks/endpoints/')).body.data;
    expect(first.enabled).toBe(true);
    const off = await server.api.put('/api/v2/integrations/webhooks/', { webhook_url: '' });
    expect(off.status).toBe(200);
    expect((await server.api.get(`/api/v2/webhooks/endpoints/${first.id}/`)).body.enabled).toBe(false);
    expect((await server.api.put('/api/v2/integrations/webhooks/', { webhook_url: '  ' })).status).toBe(200);

    const long = await server.api.put('/api/v2/integrations/webhooks/', {
      webhook_url: `https://example.com/${'x'.repeat(2048)}`,
    });
    expect(long.status).toBe(422);
    expect(long.body.errors).toEqual([
      {
        field: 'webhook_url',
        code: 'too_long',
        detail: 'must NOT have more than 2048 characters',
        params: { limit: 2048 },
      },
    ]);
    await server.api.request('DELETE', `/api/v2/webhooks/endpoints/${first.id}/`);
  });
});

describe('an enum error', () => {
  it('lists the allowed values, for a list element other than the first too', async () => {
    const events = await server.api.post('/api/v2/webhooks/endpoints/', {
      url: `${failing.url}/enum`,
      events: ['customer.registered', 'tier.lost'],
    });
    expect(events.status).toBe(422);
    expect(events.body.errors).toHaveLength(1);
    expect(events.body.errors[0].field).toBe('events[1]');
    expect(events.body.errors[0].detail).toMatch(
      /^must be one of "customer\.registered", "tier\.upgraded", .*"delivery\.failed"$/,
    );

    const ordering = await server.api.post('/api/v2/webhooks/endpoints/', {
      url: `${failing.url}/o`,
      ordering: 'random',
    });
    expect(ordering.body.errors).toEqual([
      {
        field: 'ordering',
        code: 'one_of',
        detail: 'must be one of "member", "none"',
        params: { values: '"member", "none"' },
      },
    ]);

    const member = (await server.api.post('/api/v2/customers/', { phone: '11 95555-1001', name: 'Enum' }))
      .body.customer;
    const tier = await server.api.put(`/api/v2/customers/${member.member_id}/tier/`, { tier: 'diamond' });
    expect(tier.status).toBe(422);
    expect(tier.body.errors).toEqual([
      {
        field: 'tier',
        code: 'one_of',
        detail: 'must be one of "default", "bronze", "silver", "gold", "platinum", "vip"',
        params: { values: '"default", "bronze", "silver", "gold", "platinum", "vip"' },
      },
    ]);
    expect(tier.body.detail).toBe(
      'tier must be one of "default", "bronze", "silver", "gold", "platinum", "vip"',
    );
  });
});

describe('responses', () => {
  it('a 201 carries Location, which answers with what was created; a 200 match carries none', async () => {
    const created = await server.api.post('/api/v2/customers/', {
      phone: '11 95555-1002',
      name: 'Local Ização',
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location');
    expect(location).toBe(`/api/v2/customers/${created.body.customer.member_id}/`);
    expect((await server.api.get(location!)).body.member_id).toBe(created.body.customer.member_id);
    const again = await server.api.post('/api/v2/customers/', {
      phone: '11 95555-1002',
      name: 'Local Ização',
    });
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBeNull();

    const endpoint = await server.api.post('/api/v2/webhooks/endpoints/', { url: `${failing.url}/located` });
    expect(endpoint.headers.get('location')).toBe(`/api/v2/webhooks/endpoints/${endpoint.body.id}/`);
    expect((await server.api.get(endpoint.headers.get('location')!)).body.url).toBe(`${failing.url}/located`);
    await server.api.request('DELETE', `/api/v2/webhooks/endpoints/${endpoint.body.id}/`);
  });

  it('every operation that answers 201 sends Location, which answers 200 with what was created', async () => {
    const doc = (await server.api.get('/api/v2/openapi.json')).body;
    const creating = Object.entries<any>(doc.paths)
      .filter(([, item]) => item.post?.responses['201'])
      .map(([p]) => p);
    const member = (
      await server.api.post('/api/v2/customers/', { phone: '11 95555-1003', name: 'Cria Tudo' })
    ).body.customer.member_id;
    await server.api.post(`/api/v2/customers/${member}/points/add/`, { amount: 1000 });
    const reward = await server.api.post('/api/v2/rewards/', {
      name: 'Sobremesa',
      points_required: 500,
      discount_type: 'product_free',
      validity_days: 30,
    });
    const redeemed = await server.api.post(
      `/api/v2/customers/${member}/rewards/${reward.body.id}/redeem/`,
      {},
    );
    const order = await server.api.post(`/api/v2/customers/${member}/orders/`, {
      order_id: 'PED-LOC-1',
      order_value: 50,
      platform: 'pos',
    });
    const answers: Record<string, { status: number; headers: Headers; body: any }> = {
      '/api/v2/customers/': await server.api.post('/api/v2/customers/', {
        phone: '11 95555-1004',
        name: 'Nova',
      }),
      '/api/v2/webhooks/endpoints/': await server.api.post('/api/v2/webhooks/endpoints/', {
        url: `${failing.url}/every-201`,
      }),
      '/api/v2/rewards/': reward,
      '/api/v2/customers/{member_id}/rewards/{reward_id}/redeem/': redeemed,
      '/api/v2/customers/{member_id}/orders/': order,
    };
    // A new route that creates must be tried here too.
    expect(creating.sort()).toEqual(Object.keys(answers).sort());
    for (const [route, res] of Object.entries(answers)) {
      expect(res.status, route).toBe(201);
      const location = res.headers.get('location');
      expect(location, route).toMatch(/^\/api\/v2\/.+\/$/);
      expect((await server.api.get(location!)).status, `${route} → ${location}`).toBe(200);
    }
    expect(redeemed.headers.get('location')).toBe(`/api/v2/coupons/${redeemed.body.coupon_code}/`);
    expect(order.headers.get('location')).toBe(`/api/v2/customers/${member}/points/history/`);
    const history = (await server.api.get(order.headers.get('location')!)).body.data;
    expect(history[0]).toMatchObject({
      operation: 'order',
      amount: order.body.points_earned,
      order_value: 50,
    });
    // The same order again is no creation: 200 and no Location.
    const again = await server.api.post(`/api/v2/customers/${member}/orders/`, {
      order_id: 'PED-LOC-1',
      order_value: 50,
      platform: 'pos',
    });
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBeNull();
    await server.api.request(
      'DELETE',
      `/api/v2/webhooks/endpoints/${answers['/api/v2/webhooks/endpoints/']!.body.id}/`,
    );
  });

  it('X-RateLimit-Reset is the Unix time the window starts again, in seconds', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await server.api.get('/api/v2/me/');
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    expect(res.headers.get('x-ratelimit-reset')).toMatch(/^\d{10}$/);
    expect(reset).toBeGreaterThanOrEqual(before);
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 60);
  });

  it('every timestamp of every answer has second precision, failing_since and replay candidates included', async () => {
    const endpoint = (await server.api.post('/api/v2/webhooks/endpoints/', { url: `${failing.url}/stamps` }))
      .body;
    const member = (await server.api.post('/api/v2/customers/', JOAO)).body.customer;
    await server.api.post(`/api/v2/customers/${member.member_id}/points/add/`, { amount: 5000 });
    // The endpoint fails: its failing_since is set by the worker's second attempt.
    const overview = await waitUntil(async () => {
      const body = (await server.api.get('/api/v2/stats/overview/')).body;
      return body.endpoints.find((e: any) => e.id === endpoint.id)?.failing_since ? body : undefined;
    });
    const [delivery] = (await server.api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${endpoint.id}`)).body
      .data;
    const answers = [
      JSON.stringify(overview),
      (await server.api.get('/api/v2/customers/')).text,
      (await server.api.get(`/api/v2/customers/${member.member_id}/`)).text,
      (await server.api.get(`/api/v2/customers/${member.member_id}/points/history/`)).text,
      (await server.api.get('/api/v2/events/')).text,
      (await server.api.get('/api/v2/webhooks/endpoints/')).text,
      (await server.api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${endpoint.id}`)).text,
      (await server.api.get(`/api/v2/webhooks/deliveries/${delivery.id}/`)).text,
      (await server.api.get('/api/v2/me/')).text,
      (await server.api.get('/api/v2/loyalty/program/')).text,
    ];
    // The later routes: rewards and their coupons, orders, a partner feed, the audit log, the export.
    const reward = (
      await server.api.post('/api/v2/rewards/', {
        name: 'Carimbo',
        points_required: 100,
        discount_type: 'product_free',
        validity_days: 30,
      })
    ).body;
    const coupon = (
      await server.api.post(`/api/v2/customers/${member.member_id}/rewards/${reward.id}/redeem/`, {})
    ).body;
    answers.push(
      JSON.stringify(coupon),
      (
        await server.api.post(`/api/v2/customers/${member.member_id}/orders/`, {
          order_id: 'PED-STAMP',
          order_value: 40,
          platform: 'pos',
          ordered_at: '2026-01-02T12:34:56.789-03:00',
        })
      ).text,
      (
        await server.api.post('/api/v2/webhooks/integrations/generic/', [
          {
            order_id: 'G-STAMP',
            order_total: 30,
            customer_phone: '11 95555-1005',
            order_date: '2026-01-02 12:00',
          },
        ])
      ).text,
      (
        await server.api.request('PATCH', `/api/v2/customers/${member.member_id}/`, {
          name: 'João Carimbado',
        })
      ).text,
      (await server.api.get('/api/v2/rewards/')).text,
      (await server.api.get(`/api/v2/rewards/${reward.id}/`)).text,
      (await server.api.get('/api/v2/coupons/issued/')).text,
      (await server.api.get(`/api/v2/customers/${member.member_id}/coupons/`)).text,
      (await server.api.get(`/api/v2/coupons/${coupon.coupon_code}/`)).text,
      (await server.api.get(`/api/v2/customers/${member.member_id}/export/`)).text,
      (await server.api.get('/api/v2/audit-log/')).text,
      (await server.api.get('/api/v2/audit-log/verify/')).text,
      (
        await waitUntil(async () => {
          const inbox = await server.api.get('/api/v2/webhooks/integrations/inbox/');
          return inbox.body.data.some((e: any) => e.processed_at) ? inbox : undefined;
        })
      ).text,
    );
    // What `zupy replay --dry-run --json` prints as its sample.
    const candidates = await findReplayable(server.runtime.ctx.db, {
      endpointId: endpoint.id,
      since: new Date(Date.now() - 60_000),
      status: 'any',
    });
    answers.push(JSON.stringify(candidates));
    // The delivery's body is a JSON string inside the answer: its quotes come escaped.
    const stamps = answers.flatMap(
      (text) => text.replaceAll('\\"', '"').match(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^"]*"/g) ?? [],
    );
    expect(stamps.length).toBeGreaterThan(20);
    expect(stamps.filter((s) => !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"$/.test(s))).toEqual([]);
    await server.api.request('DELETE', `/api/v2/webhooks/endpoints/${endpoint.id}/`);
  });
});

describe('customer search', () => {
  it('ignores case and accents both ways, on every accented letter the engines fold', async () => {
    const names = ['Maria da Conceição', 'JOSÉ ÂNGELO', 'Ana Lúcia Peña', `Todas ${ACCENTED}`];
    const ids: string[] = [];
    for (const [i, name] of names.entries()) {
      const res = await server.api.post('/api/v2/customers/', { phone: `11 95555-20${10 + i}`, name });
      ids.push(res.body.customer.member_id);
    }
    const find = async (search: string) =>
      (await server.api.get(`/api/v2/customers/?search=${encodeURIComponent(search)}`)).body.data.map(
        (c: any) => c.member_id,
      );
    expect(await find('conceicao')).toEqual([ids[0]]);
    expect(await find('CONCEIÇÃO')).toEqual([ids[0]]);
    expect(await find('jose angelo')).toEqual([ids[1]]);
    expect(await find('josé ângelo')).toEqual([ids[1]]);
    expect(await find('lucia pena')).toEqual([ids[2]]);
    expect(await find('LÚCIA')).toEqual([ids[2]]);
    expect(await find('conceicoes')).toEqual([]);
    // Every letter of the PostgreSQL translate table matches its plain form, on both engines.
    expect(foldText(ACCENTED)).toBe(UNACCENTED.slice(0, ACCENTED.length));
    expect(await find(UNACCENTED)).toEqual([ids[3]]);
    expect(await find(ACCENTED.toUpperCase())).toEqual([ids[3]]);
  });
});
