import fs from 'node:fs';
import path from 'node:path';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { dumpDatabase } from './helpers/dump-database.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';
import { receiverPool } from './helpers/receiver.js';
import { waitUntil } from './helpers/wait-until.js';

let server: TestServer;
const receivers = receiverPool();
afterEach(async () => {
  // Receivers first: a hanging request then ends at once instead of holding the worker's shutdown.
  await receivers.closeAll();
  await server?.close();
});

const receiver = receivers.start;

async function endpoint(url: string, events?: string[]): Promise<{ id: string; secret: string }> {
  const res = await server.api.post('/api/v2/webhooks/endpoints/', { url, ...(events ? { events } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function deliveryWhen(id: string, status: string) {
  return waitUntil(async () => {
    const res = await server.api.get(`/api/v2/webhooks/deliveries/${id}/`);
    return res.body.status === status ? res.body : undefined;
  });
}

describe('delivering events to a real receiver', () => {
  it('sends the stored bytes with every header; third-party verifiers accept both signatures', async () => {
    server = await startTestServer({ worker: true });
    const r = await receiver();
    const ep = await endpoint(r.url + '/hooks/zupy?src=test');
    const reg = await server.api.post('/api/v2/customers/', JOAO);
    const [req] = await r.waitFor(1);
    const stored = await server.runtime.ctx.db.selectFrom('events').selectAll().executeTakeFirstOrThrow();

    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/hooks/zupy?src=test');
    expect(req!.body).toBe(stored.body);
    expect(JSON.parse(req!.body).customer.member_id).toBe(reg.body.customer.member_id);
    const h = req!.headers;
    expect(h['content-type']).toBe('application/json');
    expect(h['user-agent']).toMatch(/^Zupy-Webhook\/\d+\.\d+\.\d+$/);
    expect(h['x-zupy-event']).toBe('customer.registered');
    expect(h['x-zupy-event-id']).toBe(stored.id);
    expect(h['x-zupy-delivery']).toMatch(/^dlv_/);
    expect(h['x-zupy-attempt']).toBe('1');
    expect(h['x-zupy-test']).toBeUndefined();
    expect(h['webhook-id']).toBe(stored.id);
    expect(Math.abs(Number(h['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);

    expect(await octokitVerify(ep.secret, req!.body, String(h['x-zupy-signature']))).toBe(true);
    const verified = new Webhook(ep.secret).verify(req!.body, {
      'webhook-id': String(h['webhook-id']),
      'webhook-timestamp': String(h['webhook-timestamp']),
      'webhook-signature': String(h['webhook-signature']),
    });
    expect(verified).toEqual(JSON.parse(stored.body));

    const delivery = await deliveryWhen(String(h['x-zupy-delivery']), 'succeeded');
    expect(delivery).toMatchObject({
      event_id: stored.id,
      event_type: 'customer.registered',
      endpoint_id: ep.id,
      attempts_count: 1,
    });
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({
      attempt: 1,
      response_status: 200,
      response_body: '{"received":true}',
      error: null,
    });
    expect(delivery.attempts[0].request_headers['x-zupy-signature']).toBe(h['x-zupy-signature']);
    // The detail names where it went and carries the exact bytes that were signed and received.
    expect(delivery.endpoint_url).toBe(r.url + '/hooks/zupy?src=test');
    expect(delivery.endpoint_description).toBeNull();
    expect(delivery.body).toBe(req!.body);
    expect(await octokitVerify(ep.secret, delivery.body, String(h['x-zupy-signature']))).toBe(true);
  });

  it('counts every matching delivery on all pages into meta.total when asked, filters and all, not otherwise', async () => {
    // No worker: every delivery stays pending, so the counts are the fan-out's.
    server = await startTestServer();
    const all = await endpoint('http://127.0.0.1:9/all');
    const registrations = await endpoint('http://127.0.0.1:9/registered', ['customer.registered']);
    await endpoint('http://127.0.0.1:9/upgrades', ['tier.upgraded']);
    for (const phone of ['11 97333-0001', '11 97333-0002', '11 97333-0003']) {
      expect((await server.api.post('/api/v2/customers/', { phone, name: 'Contagem' })).status).toBe(201);
    }
    const total = async (query: string) => {
      const res = await server.api.get(`/api/v2/webhooks/deliveries/?include_total=true${query}`);
      expect(res.status).toBe(200);
      return res.body.meta.total;
    };
    const first = await server.api.get('/api/v2/webhooks/deliveries/?page_size=2&include_total=true');
    expect(first.body.meta).toMatchObject({ count: 2, has_next: true, total: 6 });
    // The same total on a later page: the cursor does not change what matches.
    const second = await server.api.get(
      `/api/v2/webhooks/deliveries/?page_size=2&include_total=true&cursor=${first.body.meta.cursor}`,
    );
    expect(second.body.meta).toMatchObject({ count: 2, total: 6 });
    // Each filter, on an endpoint other than the first.
    expect(await total(`&endpoint_id=${registrations.id}`)).toBe(3);
    expect(await total(`&endpoint_id=${all.id}&event=customer.registered`)).toBe(3);
    expect(await total('&event=tier.upgraded')).toBe(0);
    expect(await total('&status=succeeded')).toBe(0);
    // Held (a disabled endpoint's pending) and pending split as the list does.
    const paused = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${registrations.id}/`, {
      enabled: false,
    });
    expect(paused.status).toBe(200);
    expect(await total('&status=held')).toBe(3);
    expect(await total('&status=pending')).toBe(3);
    expect(await total('')).toBe(6);
    // Another company's log is not counted.
    const other = await server.newCompany('Outro Lugar');
    expect((await other.api.get('/api/v2/webhooks/deliveries/?include_total=true')).body.meta.total).toBe(0);
    // Not asked (or asked not to): no count, no total; a bad value is a field error.
    expect((await server.api.get('/api/v2/webhooks/deliveries/')).body.meta).not.toHaveProperty('total');
    expect(
      (await server.api.get('/api/v2/webhooks/deliveries/?include_total=false')).body.meta,
    ).not.toHaveProperty('total');
    const bad = await server.api.get('/api/v2/webhooks/deliveries/?include_total=maybe');
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['include_total']);
  });

  it('fans out to every subscribed endpoint, each with its own delivery id and the same event id', async () => {
    server = await startTestServer({ worker: true });
    const all = await receiver();
    const upgrades = await receiver();
    await endpoint(all.url);
    const upgradesEndpoint = await endpoint(upgrades.url, ['tier.upgraded']);
    const reg = await server.api.post('/api/v2/customers/', JOAO);
    await server.api.post(`/api/v2/customers/${reg.body.customer.member_id}/points/add/`, { amount: 2400 });
    const got = await all.waitFor(3);
    const [upgrade] = await upgrades.waitFor(1);
    expect(got.map((q) => q.headers['x-zupy-event']).sort()).toEqual([
      'customer.registered',
      'points.earned',
      'tier.upgraded',
    ]);
    const sameEvent = got.find((q) => q.headers['x-zupy-event'] === 'tier.upgraded')!;
    expect(upgrade!.headers['x-zupy-event-id']).toBe(sameEvent.headers['x-zupy-event-id']);
    expect(upgrade!.headers['x-zupy-delivery']).not.toBe(sameEvent.headers['x-zupy-delivery']);
    expect(upgrade!.body).toBe(sameEvent.body);
    // Nothing more can come to the tier.upgraded endpoint: deliveries are made in the event's own
    // transaction (fan-out), both events are committed, and its log holds exactly the one delivery.
    const log = await server.api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${upgradesEndpoint.id}`);
    expect(log.body.data.map((d: { event_type: string }) => d.event_type)).toEqual(['tier.upgraded']);
    expect(upgrades.requests).toHaveLength(1);
  });

  it('retries 500, 500, then 200: three attempts, one delivery, the same bytes', async () => {
    server = await startTestServer({
      worker: true,
      env: { ZUPY_RETRY_SCHEDULE: '0s,300ms,300ms,300ms,300ms' },
    });
    const r = await receiver((_req, i) => (i < 2 ? { status: 500, body: 'oops' } : { status: 200 }));
    await endpoint(r.url);
    await server.api.post('/api/v2/customers/', JOAO);
    const got = await r.waitFor(3);
    expect(got.map((q) => q.headers['x-zupy-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(got.map((q) => q.headers['x-zupy-delivery'])).size).toBe(1);
    expect(new Set(got.map((q) => q.headers['x-zupy-event-id'])).size).toBe(1);
    expect(new Set(got.map((q) => q.body)).size).toBe(1);
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(290);
    const delivery = await deliveryWhen(String(got[0]!.headers['x-zupy-delivery']), 'succeeded');
    expect(delivery.attempts.map((a: any) => a.response_status)).toEqual([500, 500, 200]);
    expect(delivery.attempts[0].response_body).toBe('oops');
  });

  it('ends failed after 5 attempts, stays in the log, and can be redelivered', async () => {
    server = await startTestServer({
      worker: true,
      env: { ZUPY_RETRY_SCHEDULE: '0s,100ms,100ms,100ms,100ms' },
    });
    let healthy = false;
    const r = await receiver(() => (healthy ? { status: 204 } : { status: 503 }));
    await endpoint(r.url);
    await server.api.post('/api/v2/customers/', JOAO);
    const got = await r.waitFor(5);
    const id = String(got[0]!.headers['x-zupy-delivery']);
    const failed = await deliveryWhen(id, 'failed');
    expect(failed.attempts_count).toBe(5);
    expect(failed.next_attempt_at).toBeNull();
    await new Promise((res) => setTimeout(res, 400));
    expect(r.requests).toHaveLength(5);

    const list = await server.api.get('/api/v2/webhooks/deliveries/?status=failed');
    expect(list.body.data.map((d: any) => d.id)).toEqual([id]);

    healthy = true;
    const again = await server.api.post(`/api/v2/webhooks/deliveries/${id}/redeliver/`);
    expect(again.status).toBe(202);
    const [, , , , , sixth] = await r.waitFor(6);
    expect(sixth!.headers['x-zupy-attempt']).toBe('6');
    expect(sixth!.headers['x-zupy-delivery']).toBe(id);
    expect((await deliveryWhen(id, 'succeeded')).attempts).toHaveLength(6);
  });

  it('honours Retry-After on 429', async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_RETRY_SCHEDULE: '0s,100ms,100ms' } });
    const r = await receiver((_req, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 },
    );
    await endpoint(r.url);
    await server.api.post('/api/v2/customers/', JOAO);
    const [first, second] = await r.waitFor(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(2000);
  });

  it('a receiver that hangs does not hold back a healthy endpoint', async () => {
    server = await startTestServer({ worker: { perEndpointCap: 16 }, env: { ZUPY_DELIVERY_TIMEOUT: '20s' } });
    const dead = await receiver(() => 'hang');
    const healthy = await receiver();
    await endpoint(dead.url);
    await endpoint(healthy.url);
    for (let i = 0; i < 40; i++)
      await server.api.post('/api/v2/customers/', {
        phone: `11 97777-${String(i).padStart(4, '0')}`,
        name: `C${i}`,
      });
    await healthy.waitFor(40, 15_000);
    // Every healthy delivery landed while the dead endpoint's requests were all still hanging,
    // and the dead endpoint never had more than its in-flight cap.
    const attemptsOnDead = await server.runtime.ctx.db
      .selectFrom('delivery_attempts')
      .select('id')
      .where('response_status', 'is', null)
      .execute();
    expect(attemptsOnDead).toHaveLength(0);
    expect(dead.requests.length).toBeLessThanOrEqual(16);
    expect(dead.requests.length).toBeGreaterThan(0);
  });

  it('a 410 Gone disables the endpoint and says why', async () => {
    server = await startTestServer({ worker: true });
    const r = await receiver(() => ({ status: 410 }));
    const ep = await endpoint(r.url);
    await server.api.post('/api/v2/customers/', JOAO);
    await r.waitFor(1);
    const disabled = await waitUntil(async () => {
      const res = await server.api.get(`/api/v2/webhooks/endpoints/${ep.id}/`);
      return res.body.enabled === false ? res.body : undefined;
    });
    expect(disabled.disabled_reason).toContain('410');
    const [delivery] = (await server.api.get('/api/v2/webhooks/deliveries/')).body.data;
    expect(delivery.status).toBe('failed');
    expect(disabled).toMatchObject({ disabled_code: 'gone', next_probe_at: null });
    // An event recorded while it is disabled is held: logged, counted, never sent.
    await server.api.post('/api/v2/customers/', { phone: '11 90000-1111', name: 'Later' });
    const log = (await server.api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${ep.id}`)).body.data;
    expect(log.map((d: { status: string }) => d.status)).toEqual(['held', 'failed']);
    expect(
      (await server.api.get(`/api/v2/webhooks/deliveries/?status=held`)).body.data.map(
        (d: { id: string }) => d.id,
      ),
    ).toEqual([log[0].id]);
    expect((await server.api.get(`/api/v2/webhooks/endpoints/${ep.id}/`)).body.held_deliveries).toBe(1);
    await new Promise((res) => setTimeout(res, 600));
    expect(r.requests).toHaveLength(1);
    // Re-enabling brings it back, and what was held is sent.
    r.respond = () => ({ status: 200 });
    const enabled = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, {
      enabled: true,
    });
    expect(enabled.body).toMatchObject({
      enabled: true,
      disabled_reason: null,
      disabled_code: null,
      held_deliveries: 0,
    });
    await r.waitFor(2);
    expect(JSON.parse(r.requests[1]!.body).customer.name).toBe('Later');
  });

  it('disables an endpoint that fails every attempt for the configured period', async () => {
    server = await startTestServer({
      worker: true,
      env: { ZUPY_RETRY_SCHEDULE: '0s,1200ms,100ms', ZUPY_ENDPOINT_DISABLE_AFTER: '1s' },
    });
    const r = await receiver(() => ({ status: 500 }));
    const ep = await endpoint(r.url);
    await server.api.post('/api/v2/customers/', JOAO);
    await r.waitFor(2);
    const disabled = await waitUntil(async () => {
      const res = await server.api.get(`/api/v2/webhooks/endpoints/${ep.id}/`);
      return res.body.enabled === false ? res.body : undefined;
    });
    expect(disabled.disabled_reason).toMatch(/every attempt failed since/);
    await new Promise((res) => setTimeout(res, 400));
    expect(r.requests).toHaveLength(2);
  });

  it('a test send reaches the receiver with X-Zupy-Test: true, is logged, and creates no customer', async () => {
    server = await startTestServer();
    const r = await receiver();
    const ep = await endpoint(r.url);
    const res = await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/test/`, {
      event: 'tier.upgraded',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      status_code: 200,
      error: null,
      delivery_id: expect.stringMatching(/^dlv_/),
    });
    const [req] = r.requests;
    expect(req!.headers['x-zupy-test']).toBe('true');
    expect(req!.headers['x-zupy-event']).toBe('tier.upgraded');
    const body = JSON.parse(req!.body);
    expect(body.company_id).toBe('comp_bella_vista');
    expect(body.tier_change).toMatchObject({
      previous_tier: 'bronze',
      new_tier: 'silver',
      qualification_value: 2500,
    });
    expect(await octokitVerify(ep.secret, req!.body, String(req!.headers['x-zupy-signature']))).toBe(true);
    expect(res.body.request.body).toBe(req!.body);
    expect(await server.runtime.ctx.db.selectFrom('customers').selectAll().execute()).toEqual([]);
    expect((await server.api.get('/api/v2/events/')).body.data).toEqual([]);
    const logged = await server.api.get(`/api/v2/webhooks/deliveries/${res.body.delivery_id}/`);
    expect(logged.body).toMatchObject({ status: 'succeeded', test: true, attempts_count: 1 });

    r.respond = () => ({ status: 500, body: 'nope' });
    const failing = await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/test/`, {});
    expect(failing.status).toBe(200);
    expect(failing.body).toMatchObject({ success: false, status_code: 500 });
    expect(failing.body.response.body).toBe('nope');
  });

  it('rotating a secret signs webhook-signature with both secrets during the grace period', async () => {
    server = await startTestServer();
    const r = await receiver();
    const ep = await endpoint(r.url);
    const rotated = await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/secret/rotate/`, {
      grace_seconds: 3600,
    });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(ep.secret);
    await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/test/`, {});
    const [req] = r.requests;
    const sw = {
      'webhook-id': String(req!.headers['webhook-id']),
      'webhook-timestamp': String(req!.headers['webhook-timestamp']),
      'webhook-signature': String(req!.headers['webhook-signature']),
    };
    expect(sw['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(ep.secret).verify(req!.body, sw)).not.toThrow();
    expect(() => new Webhook(rotated.body.secret).verify(req!.body, sw)).not.toThrow();
    // X-Zupy-Signature keeps the old secret until the grace period ends (secret-rotation.test.ts).
    expect(await octokitVerify(ep.secret, req!.body, String(req!.headers['x-zupy-signature']))).toBe(true);
    expect((await server.api.get(`/api/v2/webhooks/endpoints/${ep.id}/secret/`)).body.secret).toBe(
      rotated.body.secret,
    );

    await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/secret/rotate/`, { grace_seconds: 0 });
    await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/test/`, {});
    expect(String(r.requests[1]!.headers['webhook-signature']).split(' ')).toHaveLength(1);
  });

  it('stores endpoint secrets encrypted: the database file never holds one in clear', async () => {
    server = await startTestServer();
    const ep = await endpoint('http://127.0.0.1:9/hook');
    const rotated = (await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/secret/rotate/`, {})).body
      .secret;
    const dump = await dumpDatabase(server.runtime.ctx.db);
    for (const secret of [ep.secret, rotated]) expect(dump.includes(secret.slice(6))).toBe(false);
    expect(dump).toContain('v1:'); // the sealed form
    for (const file of fs.readdirSync(server.dataDir)) {
      const content = fs.readFileSync(path.join(server.dataDir, file));
      for (const secret of [ep.secret, rotated]) {
        expect(content.includes(secret), file).toBe(false);
        expect(content.includes(secret.slice(6)), file).toBe(false);
      }
    }
  });

  it('a graceful stop releases deliveries still in flight after the grace period, recording no attempt', async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_DELIVERY_TIMEOUT: '30s' } });
    const r = await receiver(() => 'hang');
    await endpoint(r.url);
    await server.api.post('/api/v2/customers/', JOAO);
    await r.waitFor(1);
    await server.runtime.worker!.stop(100);
    const [delivery] = await server.runtime.ctx.db.selectFrom('deliveries').selectAll().execute();
    expect(delivery).toMatchObject({ status: 'pending', attempts_count: 0, lease_expires_at: null });
    expect(await server.runtime.ctx.db.selectFrom('delivery_attempts').selectAll().execute()).toEqual([]);
  });
});
