import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  OPERATIONAL_EVENT_TYPES,
  createWebhookHandler,
  type CustomerRegisteredEvent,
  type DeliveryContext,
  type OperationalEvent,
  type TierUpgradedEvent,
} from '@zupy/webhooks';
import { createNodeListener } from '@zupy/webhooks/node';
import { afterEach, describe, expect, it } from 'vitest';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let receiver: http.Server | undefined;
afterEach(async () => {
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  await server?.close();
});

describe('the SDK receives what the server sends', () => {
  it('registration and tier upgrade reach an SDK handler, verified and typed', async () => {
    server = await startTestServer({ worker: true });
    const registered: [CustomerRegisteredEvent, DeliveryContext][] = [];
    const upgraded: TierUpgradedEvent[] = [];
    // The receiver listens first (its URL is needed to register), then gets its handler and secret.
    let listener: ReturnType<typeof createNodeListener> = (_req, res) => void res.writeHead(503).end();
    receiver = http.createServer((req, res) => listener(req, res));
    await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    const { secret } = (await server.api.post('/api/v2/webhooks/endpoints/', { url })).body;
    listener = createNodeListener(
      createWebhookHandler({
        secret,
        on: {
          'customer.registered': (event, context) => {
            registered.push([event, context]);
          },
          'tier.upgraded': (event) => {
            upgraded.push(event);
          },
        },
      }),
    );

    const reg = await server.api.post('/api/v2/customers/', JOAO);
    await server.api.post(`/api/v2/customers/${reg.body.customer.member_id}/points/add/`, { amount: 2400 });
    for (let i = 0; upgraded.length === 0 || registered.length === 0; i++) {
      if (i > 300) throw new Error('no delivery reached the SDK');
      await new Promise((r) => setTimeout(r, 50));
    }
    const [event, context] = registered[0]!;
    expect(event.customer).toMatchObject({
      member_id: reg.body.customer.member_id,
      whatsapp: '+5511965958122',
      tier: 'bronze',
    });
    expect(context).toMatchObject({
      eventId: expect.stringMatching(/^evt_/),
      deliveryId: expect.stringMatching(/^dlv_/),
      attempt: 1,
      test: false,
    });
    expect(upgraded[0]!.tier_change).toMatchObject({
      previous_tier: 'bronze',
      new_tier: 'silver',
      qualification_value: 2500,
    });

    const deliveries = (await server.api.get('/api/v2/webhooks/deliveries/')).body.data;
    for (const d of deliveries) {
      const detail = (await server.api.get(`/api/v2/webhooks/deliveries/${d.id}/`)).body;
      expect(detail.status).toBe('succeeded');
      expect(JSON.parse(detail.attempts[0].response_body)).toMatchObject({ received: true });
    }
  });

  it('a real delivery replayed without its webhook-* headers is refused (401); only allowReplayableZupySignature accepts it', async () => {
    server = await startTestServer({ worker: true });
    const handled: (string | undefined)[] = [];
    let listener: ReturnType<typeof createNodeListener> = (_req, res) => void res.writeHead(503).end();
    receiver = http.createServer((req, res) => listener(req, res));
    await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    const { secret } = (await server.api.post('/api/v2/webhooks/endpoints/', { url })).body;
    const on = {
      'customer.registered': (_event: CustomerRegisteredEvent, context: DeliveryContext) => {
        handled.push(context.eventId);
      },
    };
    listener = createNodeListener(createWebhookHandler({ secret, on }));

    await server.api.post('/api/v2/customers/', JOAO);
    for (let i = 0; handled.length === 0; i++) {
      if (i > 300) throw new Error('no delivery reached the SDK');
      await new Promise((r) => setTimeout(r, 50));
    }
    // What someone who saw the delivery holds: its body and headers, exactly as the server sent them.
    const [delivery] = (await server.api.get('/api/v2/webhooks/deliveries/')).body.data;
    const sent = (await server.api.get(`/api/v2/webhooks/deliveries/${delivery.id}/`)).body.attempts[0]
      .request_headers as Record<string, string>;
    const body = (await server.runtime.ctx.db.selectFrom('events').select('body').executeTakeFirstOrThrow())
      .body;
    const replay = async (headers: Record<string, string>) => {
      const res = await fetch(url, { method: 'POST', body, headers });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const bare = Object.fromEntries(Object.entries(sent).filter(([name]) => !name.startsWith('webhook-')));
    expect(Object.keys(bare)).toContain('x-zupy-signature');

    // Intact, within the tolerance: the signed webhook-id dedupes it.
    expect(await replay(sent)).toMatchObject({ status: 200, body: { duplicate: true } });
    // Stripped, with its own or a made-up X-Zupy-Event-Id (unsigned): refused.
    for (const headers of [bare, { ...bare, 'x-zupy-event-id': 'evt_made_up' }]) {
      expect(await replay(headers)).toMatchObject({ status: 401, body: { error: 'missing_header' } });
    }
    expect(handled).toHaveLength(1);

    // What the option gives up: the same stripped replay under a made-up id runs the handler again.
    listener = createNodeListener(createWebhookHandler({ secret, on, allowReplayableZupySignature: true }));
    expect(await replay({ ...bare, 'x-zupy-event-id': 'evt_made_up' })).toMatchObject({
      status: 200,
      body: { received: true },
    });
    expect(handled).toEqual([sent['webhook-id'], 'evt_made_up']);
  });

  it('operational test sends reach their own SDK handlers, verified and typed', async () => {
    server = await startTestServer();
    const got: OperationalEvent[] = [];
    const contexts: DeliveryContext[] = [];
    let listener: ReturnType<typeof createNodeListener> = (_req, res) => void res.writeHead(503).end();
    receiver = http.createServer((req, res) => listener(req, res));
    await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    const { id, secret } = (
      await server.api.post('/api/v2/webhooks/endpoints/', { url, events: [...OPERATIONAL_EVENT_TYPES] })
    ).body;
    const keep = (event: OperationalEvent, context: DeliveryContext) => {
      got.push(event);
      contexts.push(context);
    };
    listener = createNodeListener(
      createWebhookHandler({
        secret,
        on: { 'endpoint.disabled': keep, 'endpoint.enabled': keep, 'delivery.failed': keep },
        onUnhandled: () => {
          throw new Error('an operational event is a known event type');
        },
      }),
    );
    for (const type of OPERATIONAL_EVENT_TYPES) {
      const sent = await server.api.post(`/api/v2/webhooks/endpoints/${id}/test/`, { event: type });
      expect(sent.body, type).toMatchObject({ success: true, status_code: 200 });
      expect(JSON.parse(sent.body.response.body)).toMatchObject({ received: true });
    }
    expect(got.map((e) => e.event)).toEqual([...OPERATIONAL_EVENT_TYPES]);
    expect(got.every((e) => e.company_id === server.companyId && e.endpoint.url.startsWith('https://'))).toBe(
      true,
    );
    expect(contexts.map((c) => c.test)).toEqual([true, true, true]);
  });
});
