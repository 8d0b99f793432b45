import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpressMiddleware } from '../src/express.js';
import { registerZupyWebhook } from '../src/fastify.js';
import { createFetchHandler } from '../src/fetch.js';
import { generateSecret } from '../src/generate-secret.js';
import { createWebhookHandler, type WebhookHandlerOptions } from '../src/handler.js';
import { createNodeListener } from '../src/node.js';
import { sampleEvent } from '../src/samples.js';
import { serializeEvent } from '../src/event-schemas.js';
import { OPERATIONAL_EVENT_TYPES, type ZupyEvent } from '../src/events.js';
import { signatureHeaders } from '../src/sign.js';

const SECRET = generateSecret();

interface Harness {
  url: string;
  close(): Promise<void>;
}

function listen(server: http.Server): Promise<Harness> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/zupy`,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

/** Each adapter mounted the way its README says, on a real HTTP server. */
const ADAPTERS: Record<string, (options: WebhookHandlerOptions) => Promise<Harness>> = {
  node: (options) => listen(http.createServer(createNodeListener(createWebhookHandler(options)))),
  express: (options) => {
    const app = express();
    app.post('/webhooks/zupy', createExpressMiddleware(createWebhookHandler(options)));
    app.use(express.json());
    return listen(http.createServer(app));
  },
  'express with express.raw': (options) => {
    const app = express();
    app.post(
      '/webhooks/zupy',
      express.raw({ type: 'application/json' }),
      createExpressMiddleware(createWebhookHandler(options)),
    );
    return listen(http.createServer(app));
  },
  fastify: async (options) => {
    const app = Fastify();
    registerZupyWebhook(app, { path: '/webhooks/zupy', handler: createWebhookHandler(options) });
    app.post('/other', (request) => request.body); // the rest of the app keeps its JSON parser
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `${address}/webhooks/zupy`, close: () => app.close() };
  },
  fetch: (options) => {
    const handle = createFetchHandler(createWebhookHandler(options));
    // The smallest fetch-style host: node:http turning each request into a Request.
    return listen(
      http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const request = new Request(`http://localhost${req.url}`, {
            method: req.method ?? 'POST',
            headers: req.headers as Record<string, string>,
            body: Buffer.concat(chunks),
          });
          void handle(request).then(async (response) => {
            res.writeHead(response.status, { 'content-type': 'application/json' });
            res.end(await response.text());
          });
        });
      }),
    );
  },
};

function signed(
  body: string,
  options: { secret?: string; timestamp?: number; eventId?: string } = {},
): Record<string, string> {
  const eventId = options.eventId ?? `evt_${Math.random().toString(36).slice(2)}`;
  return {
    'content-type': 'application/json',
    'x-zupy-event-id': eventId,
    'x-zupy-delivery': 'dlv_test',
    'x-zupy-attempt': '1',
    ...signatureHeaders({
      secrets: [options.secret ?? SECRET],
      eventId,
      timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
      body,
    }),
  };
}

/** What someone who captured a delivery can send without the signed timestamp: all but the webhook-* headers. */
function withoutStandardHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('webhook-')));
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe.each(Object.keys(ADAPTERS))('the %s adapter', (name) => {
  const calls: { event: ZupyEvent; context: unknown }[] = [];
  const unhandled: unknown[] = [];
  let fail = false;
  let harness: Harness;
  beforeAll(async () => {
    harness = await ADAPTERS[name]!({
      secret: SECRET,
      on: {
        'customer.registered': (event, context) => {
          if (fail) throw new Error('CRM is down');
          calls.push({ event, context });
        },
        'tier.upgraded': (event, context) => {
          calls.push({ event, context });
        },
        'endpoint.disabled': (event, context) => {
          calls.push({ event, context });
        },
        'endpoint.enabled': (event, context) => {
          calls.push({ event, context });
        },
        'delivery.failed': (event, context) => {
          calls.push({ event, context });
        },
      },
      onUnhandled: (payload) => {
        unhandled.push(payload);
      },
    });
  });
  afterAll(() => harness.close());

  it('answers a valid delivery with 200 {received, processed_at} and passes the typed event', async () => {
    const body = serializeEvent(sampleEvent('customer.registered'));
    const headers: Record<string, string> = { ...signed(body), 'x-zupy-sequence': '7' };
    const res = await post(harness.url, body, headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, processed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const last = calls.at(-1)!;
    expect(last.event).toEqual(JSON.parse(body));
    expect(last.context).toEqual({
      eventId: headers['webhook-id'],
      deliveryId: 'dlv_test',
      attempt: 1,
      test: false,
      sequence: 7,
    });
  });

  it('answers 401 to a bad signature and to an old timestamp, without calling the handler', async () => {
    const before = calls.length;
    const body = serializeEvent(sampleEvent('tier.upgraded'));
    const wrong = await post(harness.url, body, signed(body, { secret: generateSecret() }));
    expect(wrong).toMatchObject({ status: 401, body: { received: false, error: 'signature_mismatch' } });
    const old = await post(
      harness.url,
      body,
      signed(body, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
    );
    expect(old).toMatchObject({ status: 401, body: { error: 'timestamp_too_old' } });
    const tampered = await post(harness.url, body.replace('silver', 'gold'), signed(body));
    expect(tampered.status).toBe(401);
    const unsigned = await post(harness.url, body, { 'content-type': 'application/json' });
    expect(unsigned).toMatchObject({ status: 401, body: { error: 'missing_header' } });
    expect(calls.length).toBe(before);
  });

  it('refuses with 401 a captured delivery replayed without its webhook-* headers, even under a new event id', async () => {
    const body = serializeEvent(sampleEvent('customer.registered'));
    const captured = signed(body);
    expect((await post(harness.url, body, captured)).status).toBe(200);
    const before = calls.length;
    const bare = withoutStandardHeaders(captured);
    // X-Zupy-Event-Id is not signed: a replayer changes it to get past the dedupe, so only the signature check can stop it.
    for (const headers of [bare, { ...bare, 'x-zupy-event-id': 'evt_replayed' }]) {
      const replay = await post(harness.url, body, headers);
      expect(replay).toMatchObject({ status: 401, body: { received: false, error: 'missing_header' } });
      expect(replay.body.message).toContain('allowReplayableZupySignature');
    }
    expect(calls.length).toBe(before);
  });

  it('answers 400 to a malformed body, even correctly signed', async () => {
    const notJson = '{"event": "customer.registered",';
    expect((await post(harness.url, notJson, signed(notJson))).status).toBe(400);
    const wrongShape = JSON.stringify({
      ...sampleEvent('customer.registered'),
      customer: { member_id: 'nope' },
    });
    const res = await post(harness.url, wrongShape, signed(wrongShape));
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_payload' } });
  });

  it('answers 500 when the handler throws, so Zupy retries; the retry runs the handler again', async () => {
    const body = serializeEvent(sampleEvent('customer.registered'));
    const headers = signed(body);
    fail = true;
    const failed = await post(harness.url, body, headers);
    expect(failed).toMatchObject({
      status: 500,
      body: { received: false, error: 'handler_failed', message: 'CRM is down' },
    });
    fail = false;
    const before = calls.length;
    expect((await post(harness.url, body, headers)).status).toBe(200);
    expect(calls.length).toBe(before + 1);
  });

  it('acknowledges a duplicate with 200 without running the handler again', async () => {
    const body = serializeEvent(sampleEvent('tier.upgraded'));
    const headers = signed(body, { eventId: `evt_dup_${name}` });
    const before = calls.length;
    expect((await post(harness.url, body, headers)).status).toBe(200);
    const again = await post(harness.url, body, signed(body, { eventId: `evt_dup_${name}` }));
    expect(again).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    expect(calls.length).toBe(before + 1);
  });

  it('passes each operational event, typed, to its own handler', async () => {
    for (const type of OPERATIONAL_EVENT_TYPES) {
      const body = serializeEvent(sampleEvent(type));
      const before = unhandled.length;
      const res = await post(harness.url, body, signed(body));
      expect(res.status, type).toBe(200);
      expect(calls.at(-1)!.event).toEqual(JSON.parse(body));
      expect(unhandled.length).toBe(before);
    }
    const broken = JSON.stringify({ ...sampleEvent('endpoint.disabled'), reason: { code: 'bored' } });
    expect(await post(harness.url, broken, signed(broken))).toMatchObject({
      status: 400,
      body: { error: 'invalid_payload', message: expect.stringContaining('reason.code') },
    });
  });

  it('acknowledges an event type it does not know and passes it to onUnhandled', async () => {
    const body = JSON.stringify({ event: 'customer.merged', company_id: 'comp_x' });
    const res = await post(harness.url, body, signed(body));
    expect(res.status).toBe(200);
    expect(unhandled.at(-1)).toEqual({ event: 'customer.merged', company_id: 'comp_x' });
  });
});

describe.each(Object.keys(ADAPTERS))('the %s adapter with the non-default checks', (name) => {
  const seen: string[] = [];
  const on = {
    'customer.registered': (_event: unknown, context: { eventId: string | undefined }) => {
      seen.push(`${name}:${context.eventId}`);
    },
  };
  let legacy: Harness;
  let strict: Harness;
  beforeAll(async () => {
    legacy = await ADAPTERS[name]!({ secret: SECRET, on, allowReplayableZupySignature: true });
    strict = await ADAPTERS[name]!({ secret: SECRET, on, toleranceSeconds: 60 });
  });
  afterAll(async () => {
    await legacy.close();
    await strict.close();
  });

  it('allowReplayableZupySignature: true accepts X-Zupy-Signature alone, and still dedupes on X-Zupy-Event-Id', async () => {
    const body = serializeEvent(sampleEvent('customer.registered'));
    const bare = withoutStandardHeaders(signed(body, { eventId: `evt_bare_${name}` }));
    expect(await post(legacy.url, body, bare)).toMatchObject({ status: 200, body: { received: true } });
    expect(await post(legacy.url, body, bare)).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(seen.filter((s) => s === `${name}:evt_bare_${name}`)).toHaveLength(1);
    const forged = await post(legacy.url, body, { ...bare, 'x-zupy-signature': `sha256=${'0'.repeat(64)}` });
    expect(forged).toMatchObject({ status: 401, body: { error: 'signature_mismatch' } });
    // With the webhook-* headers present, their timestamp still decides.
    const old = await post(
      legacy.url,
      body,
      signed(body, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
    );
    expect(old).toMatchObject({ status: 401, body: { error: 'timestamp_too_old' } });
  });

  it('toleranceSeconds: 60 refuses a delivery 90 s old that the default would accept, and accepts one 30 s old', async () => {
    const body = serializeEvent(sampleEvent('customer.registered'));
    const now = Math.floor(Date.now() / 1000);
    expect(await post(strict.url, body, signed(body, { timestamp: now - 90 }))).toMatchObject({
      status: 401,
      body: { error: 'timestamp_too_old' },
    });
    expect(await post(strict.url, body, signed(body, { timestamp: now + 90 }))).toMatchObject({
      status: 401,
      body: { error: 'timestamp_too_new' },
    });
    expect((await post(strict.url, body, signed(body, { timestamp: now - 30 }))).status).toBe(200);
  });
});

describe('a body parser that got there first', () => {
  it('is explained in the answer (500, so nothing is lost while it is fixed)', async () => {
    const app = express();
    app.use(express.json());
    app.post('/webhooks/zupy', createExpressMiddleware(createWebhookHandler({ secret: SECRET, on: {} })));
    const harness = await listen(http.createServer(app));
    try {
      const body = serializeEvent(sampleEvent('customer.registered'));
      const res = await post(harness.url, body, signed(body));
      expect(res.status).toBe(500);
      expect(res.body.message).toContain('express.raw');
    } finally {
      await harness.close();
    }
  });
});

describe('the node adapter', () => {
  it('refuses a body over 1 MB with 413 instead of buffering it', async () => {
    const harness = await ADAPTERS.node!({ secret: SECRET, on: {} });
    try {
      const body = 'x'.repeat(1024 * 1024 + 1);
      const res = await post(harness.url, body, signed(body));
      expect(res).toMatchObject({ status: 413, body: { error: 'too_large' } });
    } finally {
      await harness.close();
    }
  });
});
