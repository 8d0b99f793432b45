import {
  OPERATIONAL_EVENT_TYPES,
  eventJsonSchema,
  type EventType,
  parseEvent,
  sampleEvent,
  type EndpointDisabledEvent,
} from '@zupy/webhooks';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  await server?.close();
});

const ALL_TYPES = [
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
];

/** The request the receiver got, checked as an integrator would: `standardwebhooks`, then the SDK. */
function verifiedEvent(request: Receiver['requests'][number], secret: string) {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  new Webhook(secret).verify(request.body, headers); // throws on a bad signature
  return parseEvent(request.body);
}

describe('operational events as subscription names', () => {
  it('an endpoint subscribes to them by name, stored in the documented order after the customer events', async () => {
    server = await startTestServer();
    const created = await server.api.post('/api/v2/webhooks/endpoints/', {
      url: 'http://127.0.0.1:9/alerts',
      events: ['delivery.failed', 'endpoint.disabled', 'tier.upgraded', 'endpoint.disabled'],
    });
    expect(created.status).toBe(201);
    expect(created.body.events).toEqual(['tier.upgraded', 'endpoint.disabled', 'delivery.failed']);

    const every = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${created.body.id}/`, {
      events: [...ALL_TYPES].reverse(),
    });
    expect(every.status).toBe(200);
    expect(every.body.events).toEqual(ALL_TYPES);
    const onlyOps = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${created.body.id}/`, {
      events: ['endpoint.enabled'],
    });
    expect(onlyOps.body.events).toEqual(['endpoint.enabled']);
    expect((await server.api.get(`/api/v2/webhooks/endpoints/${created.body.id}/`)).body.events).toEqual([
      'endpoint.enabled',
    ]);
  });

  it.each([
    [{ events: ['endpoint.deleted'] }, 'events[0]'],
    [{ events: ['delivery.failed', 'delivery.retried'] }, 'events[1]'],
    [{ events: ['Endpoint.Disabled'] }, 'events[0]'],
    [{ events: ['endpoint.*'] }, 'events[0]'],
  ])('refuses the unknown name in %j, naming %s', async (change, field) => {
    server = await startTestServer();
    const res = await server.api.post('/api/v2/webhooks/endpoints/', {
      url: 'http://127.0.0.1:9/',
      ...change,
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors.map((e: any) => e.field)).toEqual([field]);
  });

  it('an endpoint that names only operational events gets no customer event; one with an empty list does', async () => {
    server = await startTestServer({ worker: true });
    receiver = await startReceiver();
    const alerts = await server.api.post('/api/v2/webhooks/endpoints/', {
      url: `${receiver.url}/alerts`,
      events: [...OPERATIONAL_EVENT_TYPES],
    });
    const crm = await server.api.post('/api/v2/webhooks/endpoints/', { url: `${receiver.url}/crm` });
    expect(crm.body.events).toEqual([]);
    const reg = await server.api.post('/api/v2/customers/', JOAO);
    expect(reg.status).toBe(201);
    await receiver.waitFor(1);
    // No pause needed: a delivery exists from the event's own transaction on, so the alerts
    // endpoint's empty log (below) is what proves nothing was, or will be, sent to it.
    expect(receiver.requests.map((r) => [r.url, r.headers['x-zupy-event']])).toEqual([
      ['/crm', 'customer.registered'],
    ]);
    const log = await server.api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${alerts.body.id}`);
    expect(log.body.data).toEqual([]);
  });

  it('the single-URL form lists every type as available and accepts operational names', async () => {
    server = await startTestServer();
    expect((await server.api.get('/api/v2/integrations/webhooks/')).body.available_events).toEqual(ALL_TYPES);
    const set = await server.api.put('/api/v2/integrations/webhooks/', {
      webhook_url: 'http://127.0.0.1:9/',
      webhook_events: ['endpoint.disabled', 'customer.registered'],
    });
    expect(set.status).toBe(200);
    expect(set.body.webhook_events).toEqual(['customer.registered', 'endpoint.disabled']);
    const bad = await server.api.put('/api/v2/integrations/webhooks/', {
      webhook_url: 'http://127.0.0.1:9/',
      webhook_events: ['endpoint.gone'],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: any) => e.field)).toEqual(['webhook_events[0]']);
  });

  it('the OpenAPI document lists every name wherever an event type is taken', async () => {
    server = await startTestServer();
    const doc = (await server.api.get('/api/v2/openapi.json')).body;
    const enumOf = (schema: any): string[] =>
      (schema.anyOf ?? schema.oneOf ?? []).map((s: any) => s.const ?? s.enum?.[0]);
    const body = (path: string, method: string) =>
      doc.paths[path][method].requestBody.content['application/json'].schema;
    expect(enumOf(body('/api/v2/webhooks/endpoints/', 'post').properties.events.items)).toEqual(ALL_TYPES);
    expect(body('/api/v2/webhooks/endpoints/', 'post').properties.events.description).toContain(
      'empty = every customer event',
    );
    expect(enumOf(body('/api/v2/webhooks/endpoints/{id}/', 'patch').properties.events.items)).toEqual(
      ALL_TYPES,
    );
    expect(enumOf(body('/api/v2/webhooks/endpoints/{id}/test/', 'post').properties.event)).toEqual(ALL_TYPES);
    expect(enumOf(body('/api/v2/integrations/webhooks/', 'put').properties.webhook_events.items)).toEqual(
      ALL_TYPES,
    );
    const filters = (path: string) =>
      doc.paths[path].get.parameters.find((p: any) => ['event', 'type'].includes(p.name)).schema;
    expect(enumOf(filters('/api/v2/webhooks/deliveries/'))).toEqual(ALL_TYPES);
    expect(enumOf(filters('/api/v2/events/'))).toEqual(ALL_TYPES);

    // And what Zupy sends, as OpenAPI 3.1 webhooks: each event's JSON Schema (the SDK's) and sample.
    expect(Object.keys(doc.webhooks)).toEqual(ALL_TYPES);
    for (const type of ALL_TYPES) {
      const operation = doc.webhooks[type].post;
      const published = eventJsonSchema(type as EventType);
      const content = operation.requestBody.content['application/json'];
      expect({ $schema: published.$schema, ...content.schema, examples: published.examples }).toEqual(
        published,
      );
      expect(content.examples).toEqual({ sample: { value: (published.examples as unknown[])[0] } });
      expect(operation.tags).toEqual([
        (OPERATIONAL_EVENT_TYPES as readonly string[]).includes(type)
          ? 'Operational events'
          : 'Customer events',
      ]);
      expect(operation.parameters.map((p: any) => p.name)).toContain('webhook-signature');
    }
    expect(doc.webhooks['endpoint.disabled'].post.description).toContain('never to the endpoint it is about');
    expect(doc.webhooks['delivery.failed'].post.description).toContain(
      'Never sent about a delivery of an operational event',
    );
  });
});

describe('test sends of operational events', () => {
  it('endpoint.disabled reaches a real receiver signed like any delivery: standardwebhooks verifies it, the SDK parses it', async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    const created = await server.api.post('/api/v2/webhooks/endpoints/', {
      url: `${receiver.url}/alerts`,
      events: ['endpoint.disabled'],
      description: 'on-call',
    });
    const { id, secret } = created.body as { id: string; secret: string };
    const before = Date.now();
    const sent = await server.api.post(`/api/v2/webhooks/endpoints/${id}/test/`, {
      event: 'endpoint.disabled',
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ success: true, status_code: 200, error: null });

    const [request] = receiver.requests;
    expect(request!.url).toBe('/alerts');
    expect(request!.headers).toMatchObject({
      'x-zupy-event': 'endpoint.disabled',
      'x-zupy-test': 'true',
      'x-zupy-delivery': sent.body.delivery_id,
    });
    expect(request!.body).toBe(sent.body.request.body);
    const event = verifiedEvent(request!, secret) as EndpointDisabledEvent;
    const sample = sampleEvent('endpoint.disabled', {
      companyId: server.companyId,
      now: new Date(event.timestamp),
    });
    expect(event).toEqual(sample);
    expect(event.company_id).toBe(server.companyId);
    expect(Date.parse(event.timestamp)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    // The sample is about the docs' example endpoint, never the endpoint receiving it.
    expect(event.endpoint.id).not.toBe(id);
    expect(() =>
      new Webhook(secret).verify(request!.body.replace('12', '13'), request!.headers as any),
    ).toThrow();

    // Logged like any test delivery, and found by the log's event filter.
    const log = await server.api.get('/api/v2/webhooks/deliveries/?event=endpoint.disabled');
    expect(log.body.data.map((d: any) => [d.id, d.event_type])).toEqual([
      [sent.body.delivery_id, 'endpoint.disabled'],
    ]);
    expect((await server.api.get('/api/v2/webhooks/deliveries/?event=delivery.failed')).body.data).toEqual(
      [],
    );
  });

  it.each(OPERATIONAL_EVENT_TYPES)(
    '%s: the test send carries its sample, whatever the endpoint subscribes to',
    async (type) => {
      server = await startTestServer();
      receiver = await startReceiver();
      const { id, secret } = (
        await server.api.post('/api/v2/webhooks/endpoints/', {
          url: receiver.url,
          events: ['customer.registered'],
        })
      ).body;
      const sent = await server.api.post(`/api/v2/webhooks/endpoints/${id}/test/`, { event: type });
      expect(sent.body.success).toBe(true);
      expect(sent.body.request.headers['x-zupy-event']).toBe(type);
      const event = verifiedEvent(receiver.requests[0]!, secret);
      expect(event.event).toBe(type);
      expect(Object.keys(event)).toEqual(Object.keys(sampleEvent(type, { companyId: server.companyId })));
    },
  );

  it('the single-URL test takes an operational event too; an unknown one is a 422 naming `event`', async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    await server.api.put('/api/v2/integrations/webhooks/', { webhook_url: receiver.url });
    const sent = await server.api.post('/api/v2/integrations/webhooks/test/', { event: 'delivery.failed' });
    expect(sent.body).toEqual({
      success: true,
      status_code: 200,
      error: null,
      error_code: null,
      error_params: null,
    });
    expect(receiver.requests[0]!.headers['x-zupy-event']).toBe('delivery.failed');
    expect(parseEvent(receiver.requests[0]!.body).event).toBe('delivery.failed');

    const [ep] = (await server.api.get('/api/v2/webhooks/endpoints/')).body.data;
    for (const path of [`/api/v2/webhooks/endpoints/${ep.id}/test/`, '/api/v2/integrations/webhooks/test/']) {
      const bad = await server.api.post(path, { event: 'endpoint.deleted' });
      expect(bad.status, path).toBe(422);
      expect(bad.body.errors.map((e: any) => e.field)).toEqual(['event']);
    }
    expect(receiver.requests).toHaveLength(1);
  });
});
