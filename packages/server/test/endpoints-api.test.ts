import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

let server: TestServer;
let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  await server?.close();
});

describe('webhook endpoints API', () => {
  it('creates, lists, reads, changes and deletes endpoints; the secret shows only on create and reveal', async () => {
    server = await startTestServer();
    const created = await server.api.post('/api/v2/webhooks/endpoints/', {
      url: 'http://127.0.0.1:9/crm',
      events: ['tier.upgraded', 'customer.registered', 'tier.upgraded'],
      description: 'CRM sync',
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(
      expect.arrayContaining(['id', 'url', 'events', 'enabled', 'description', 'secret', 'created_at']),
    );
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^ep_/),
      url: 'http://127.0.0.1:9/crm',
      events: ['customer.registered', 'tier.upgraded'],
      enabled: true,
      description: 'CRM sync',
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const id = created.body.id;
    const list = await server.api.get('/api/v2/webhooks/endpoints/');
    expect(list.body.data.map((e: any) => e.id)).toEqual([id]);
    expect(list.body.data[0].secret).toBeUndefined();
    expect((await server.api.get(`/api/v2/webhooks/endpoints/${id}/`)).body.secret).toBeUndefined();
    expect((await server.api.get(`/api/v2/webhooks/endpoints/${id}/secret/`)).body.secret).toBe(
      created.body.secret,
    );

    const patched = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${id}/`, {
      events: [],
      enabled: false,
    });
    expect(patched.body).toMatchObject({ events: [], enabled: false, description: 'CRM sync' });

    const deleted = await server.api.request('DELETE', `/api/v2/webhooks/endpoints/${id}/`);
    expect(deleted.status).toBe(204);
    expect((await server.api.get(`/api/v2/webhooks/endpoints/${id}/`)).status).toBe(404);
    expect((await server.api.get('/api/v2/webhooks/endpoints/')).body.data).toEqual([]);
  });

  it('allows at most 10 endpoints per company', async () => {
    server = await startTestServer();
    for (let i = 0; i < 10; i++) {
      expect(
        (await server.api.post('/api/v2/webhooks/endpoints/', { url: `http://127.0.0.1:9/${i}` })).status,
      ).toBe(201);
    }
    const eleventh = await server.api.post('/api/v2/webhooks/endpoints/', { url: 'http://127.0.0.1:9/11' });
    expect(eleventh.status).toBe(409);
    expect(eleventh.body.detail).toContain('10');
  });

  it.each([
    [{ url: 'ftp://example.com/x' }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{ url: 'https://user:pw@example.com/' }, 'url'],
    [{ url: 'https://example.com/', events: ['customer.merged'] }, 'events[0]'],
    [{ url: 'https://example.com/', colour: 'red' }, 'colour'],
    [{}, 'url'],
  ])('rejects %j naming %s', async (body, field) => {
    server = await startTestServer();
    const res = await server.api.post('/api/v2/webhooks/endpoints/', body);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: any) => e.field)).toEqual([field]);
  });

  it('keeps endpoints, secrets and deliveries per company; a read-only key cannot reveal a secret', async () => {
    server = await startTestServer();
    const ep = (await server.api.post('/api/v2/webhooks/endpoints/', { url: 'http://127.0.0.1:9/a' })).body;
    const other = await server.newCompany('Other');
    for (const [method, path] of [
      ['GET', `/api/v2/webhooks/endpoints/${ep.id}/`],
      ['PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`],
      ['DELETE', `/api/v2/webhooks/endpoints/${ep.id}/`],
      ['GET', `/api/v2/webhooks/endpoints/${ep.id}/secret/`],
      ['POST', `/api/v2/webhooks/endpoints/${ep.id}/secret/rotate/`],
      ['POST', `/api/v2/webhooks/endpoints/${ep.id}/test/`],
    ] as const) {
      const res = await other.api.request(
        method,
        path,
        method === 'GET' || method === 'DELETE' ? undefined : {},
      );
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await other.api.get('/api/v2/webhooks/endpoints/')).body.data).toEqual([]);
    const test = await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/test/`, {});
    expect((await other.api.get(`/api/v2/webhooks/deliveries/${test.body.delivery_id}/`)).status).toBe(404);
    expect(
      (await other.api.post(`/api/v2/webhooks/deliveries/${test.body.delivery_id}/redeliver/`)).status,
    ).toBe(404);
    expect((await other.api.get('/api/v2/webhooks/deliveries/')).body.data).toEqual([]);

    const readOnly = await server.readOnlyClient();
    expect((await readOnly.get(`/api/v2/webhooks/endpoints/${ep.id}/`)).status).toBe(200);
    expect((await readOnly.get(`/api/v2/webhooks/endpoints/${ep.id}/secret/`)).status).toBe(403);
  });
});

describe('the single-URL view (/integrations/webhooks/)', () => {
  it('reads and sets the first endpoint, masks the secret, and sends a test', async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    const empty = await server.api.get('/api/v2/integrations/webhooks/');
    expect(empty.body).toEqual({
      webhook_url: null,
      webhook_events: [],
      webhook_secret: null,
      available_events: [
        'customer.registered',
        'tier.upgraded',
        'coupon.redeemed',
        'coupon.used',
        'customer.updated',
        'customer.deleted',
        'points.earned',
        'endpoint.disabled',
        'endpoint.enabled',
        'delivery.failed',
      ],
    });
    const noUrl = await server.api.post('/api/v2/integrations/webhooks/test/', {});
    expect(noUrl.status).toBe(409);

    const set = await server.api.put('/api/v2/integrations/webhooks/', {
      webhook_url: receiver.url,
      webhook_events: ['customer.registered'],
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      webhook_url: receiver.url + '/',
      webhook_events: ['customer.registered'],
    });
    const [ep] = (await server.api.get('/api/v2/webhooks/endpoints/')).body.data;
    const secret = (await server.api.get(`/api/v2/webhooks/endpoints/${ep.id}/secret/`)).body
      .secret as string;
    expect(set.body.webhook_secret).toMatch(/^whsec_\*+.{4}$/);
    expect(set.body.webhook_secret.slice(-4)).toBe(secret.slice(-4));
    expect(set.body.webhook_secret).not.toContain(secret.slice(6, 20));

    const test = await server.api.post('/api/v2/integrations/webhooks/test/', {});
    expect(test.body).toEqual({
      success: true,
      status_code: 200,
      error: null,
      error_code: null,
      error_params: null,
    });
    expect(receiver.requests[0]!.headers['x-zupy-test']).toBe('true');

    receiver.respond = () => 'reset';
    const failed = await server.api.post('/api/v2/integrations/webhooks/test/', { event: 'tier.upgraded' });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({
      success: false,
      status_code: null,
      error: expect.stringContaining('reset'),
      error_code: 'connection_reset',
      error_params: null,
    });

    const off = await server.api.put('/api/v2/integrations/webhooks/', { webhook_url: null });
    expect(off.body.webhook_url).toBeNull();
    expect((await server.api.get(`/api/v2/webhooks/endpoints/${ep.id}/`)).body.enabled).toBe(false);
  });
});
