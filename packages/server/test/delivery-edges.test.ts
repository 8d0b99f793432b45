import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { receiverPool, type ReceivedRequest } from './helpers/receiver.js';
import { waitUntil } from './helpers/wait-until.js';
import { Webhook } from 'standardwebhooks';
import { parseEvent, OPERATIONAL_EVENT_TYPES } from '@zupy/webhooks';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';

/**
 * Delivery at the edges (docs/webhooks.md "Order" and "Disabled endpoints"): nothing is lost while
 * an endpoint is disabled, and one member's events arrive in the order they were recorded.
 */
let server: TestServer;
const receivers = receiverPool();
afterEach(async () => {
  await receivers.closeAll();
  await server?.close();
});

const receiver = receivers.start;

async function endpoint(
  url: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; url: string }> {
  const res = await server.api.post('/api/v2/webhooks/endpoints/', { url, ...extra });
  expect(res.status).toBe(201);
  return res.body;
}

const body = (r: ReceivedRequest) => JSON.parse(r.body);
const memberOf = (r: ReceivedRequest): string => body(r).customer.member_id;
const settle = (ms = 500) => new Promise((r) => setTimeout(r, ms));

async function register(phone: string, name: string): Promise<string> {
  const res = await server.api.post('/api/v2/customers/', { phone, name });
  expect(res.status).toBe(201);
  return res.body.customer.member_id;
}

async function upgrade(memberId: string, tier: string): Promise<void> {
  const res = await server.api.put(`/api/v2/customers/${memberId}/tier/`, { tier });
  expect(res.status).toBe(200);
  expect(res.body.tier_upgraded).toBe(true);
}

async function endpointView(id: string) {
  return (await server.api.get(`/api/v2/webhooks/endpoints/${id}/`)).body;
}

describe('disabled means paused, never dropped', () => {
  it('a failure-streak endpoint holds what is recorded while it is disabled, sends none of it, and sends all of it in order once enabled', async () => {
    server = await startTestServer({
      worker: true,
      env: {
        ZUPY_RETRY_SCHEDULE: '0s,300ms,300ms,300ms,300ms',
        ZUPY_ENDPOINT_DISABLE_AFTER: '500ms',
        ZUPY_ENDPOINT_PROBE_SCHEDULE: '1h',
      },
    });
    let failing = true;
    const r = await receiver(() => (failing ? { status: 500 } : { status: 200 }));
    const ep = await endpoint(r.url);
    const first = await register('11 90000-0001', 'First');
    const disabled = await waitUntil(async () => {
      const view = await endpointView(ep.id);
      return view.enabled === false ? view : undefined;
    });
    expect(disabled).toMatchObject({ disabled_code: 'failure_streak' });
    expect(Date.parse(disabled.next_probe_at)).toBeGreaterThan(Date.now() + 50 * 60_000);
    const sentBefore = r.requests.length;
    // Recorded while disabled: two members, one of them twice.
    const second = await register('11 90000-0002', 'Second');
    await upgrade(second, 'gold');
    const third = await register('11 90000-0003', 'Third');
    await settle(800);
    expect(r.requests).toHaveLength(sentBefore);
    const view = await endpointView(ep.id);
    expect(view.held_deliveries).toBe(4);
    const metrics = (await server.api.get('/metrics')).text;
    expect(metrics).toContain('zupy_deliveries{status="held"} 4');
    expect(metrics).toContain('zupy_deliveries{status="pending"} 0');
    const log = (await server.api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${ep.id}`)).body.data;
    expect(log.map((d: { status: string }) => d.status)).toEqual(['held', 'held', 'held', 'held']);
    expect(log.every((d: { next_attempt_at: string | null }) => d.next_attempt_at === null)).toBe(true);

    failing = false;
    const enabled = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, {
      enabled: true,
    });
    expect(enabled.status).toBe(200);
    await r.waitForMembers([first, second, third]);
    await waitUntil(() =>
      r.requests.filter((q) => q.headers['x-zupy-event'] === 'tier.upgraded').length === 1 ? true : undefined,
    );
    const delivered = r.requests.slice(sentBefore).filter((q) => q.headers['x-zupy-test'] === undefined);
    // Every event arrived, the first member's registration once more (its series resumed), each
    // member's in order.
    const ofSecond = delivered.filter((q) => memberOf(q) === second);
    expect(ofSecond.map((q) => q.headers['x-zupy-event'])).toEqual(['customer.registered', 'tier.upgraded']);
    expect(ofSecond.map((q) => q.headers['x-zupy-sequence'])).toEqual(['1', '2']);
    expect(new Set(delivered.map(memberOf))).toEqual(new Set([first, second, third]));
    await waitUntil(async () =>
      (await server.api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${ep.id}&status=succeeded`)).body.data
        .length === 4
        ? true
        : undefined,
    );
  });

  it('discard_held drops what was held, only when asked, and never sends it', async () => {
    server = await startTestServer({ worker: true });
    const r = await receiver();
    const ep = await endpoint(r.url);
    const paused = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, {
      enabled: false,
    });
    expect(paused.body).toMatchObject({ enabled: false, disabled_code: 'manual', next_probe_at: null });
    await register('11 90000-0011', 'Held One');
    await register('11 90000-0012', 'Held Two');
    expect((await endpointView(ep.id)).held_deliveries).toBe(2);
    // discard_held alone is refused: it only means something when enabling.
    const alone = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, {
      discard_held: true,
    });
    expect(alone.status).toBe(422);
    expect(JSON.stringify(alone.body)).toContain('discard_held');
    const withFalse = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, {
      enabled: false,
      discard_held: true,
    });
    expect(withFalse.status).toBe(422);
    expect((await endpointView(ep.id)).held_deliveries).toBe(2);

    const enabled = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, {
      enabled: true,
      discard_held: true,
    });
    expect(enabled.body).toMatchObject({ enabled: true, held_deliveries: 0 });
    const log = (await server.api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${ep.id}`)).body.data;
    expect(log.map((d: { status: string }) => d.status)).toEqual(['discarded', 'discarded']);
    expect((await server.api.get('/api/v2/webhooks/deliveries/?status=discarded')).body.data).toHaveLength(2);
    expect((await server.api.get('/metrics')).text).toContain('zupy_deliveries{status="discarded"} 2');
    // What comes next is sent as usual.
    const later = await register('11 90000-0013', 'After');
    await r.waitForMembers([later]);
    await settle(300);
    expect(r.requests.map(memberOf)).toEqual([later]);
  });

  it('zupy replay and the replay route show held deliveries as held, and refuse to replay a disabled endpoint', async () => {
    server = await startTestServer();
    const r = await receiver();
    const ep = await endpoint(r.url);
    await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, { enabled: false });
    await register('11 90000-0021', 'Held');
    const replay = await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/replay/`, { status: 'any' });
    expect(replay.status).toBe(409);
    const { findReplayable } = await import('../src/delivery/replay-deliveries.js');
    const since = new Date(Date.now() - 60_000);
    const held = await findReplayable(server.runtime.ctx.db, { endpointId: ep.id, since, status: 'held' });
    expect(held.map((c) => c.status)).toEqual(['held']);
    expect(
      await findReplayable(server.runtime.ctx.db, { endpointId: ep.id, since, status: 'pending' }),
    ).toEqual([]);
  });
});

describe('one member’s events in order', () => {
  it('a member whose registration fails twice gets registration then upgrade (sequences 1, 2) while another member’s events flow meanwhile', async () => {
    server = await startTestServer({
      worker: true,
      env: { ZUPY_RETRY_SCHEDULE: '0s,700ms,700ms,700ms' },
    });
    // The first member the receiver hears about gets two 503s on their registration.
    let slowMember: string | undefined;
    let failuresLeft = 2;
    const r = await receiver((q) => {
      slowMember ??= memberOf(q);
      if (memberOf(q) === slowMember && body(q).event === 'customer.registered' && failuresLeft > 0) {
        failuresLeft--;
        return { status: 503 };
      }
      return { status: 200 };
    });
    await endpoint(r.url);
    const ana = await register('11 90000-0031', 'Ana');
    await r.waitFor(1);
    expect(slowMember).toBe(ana);
    await upgrade(ana, 'gold');
    const bruno = await register('11 90000-0032', 'Bruno');
    await upgrade(bruno, 'gold');
    // Bruno's events flow while Ana's registration is retrying.
    await waitUntil(() =>
      r.requests.filter((q) => memberOf(q) === bruno && q.headers['x-zupy-event'] === 'tier.upgraded').length
        ? true
        : undefined,
    );
    expect(
      r.requests.filter((q) => memberOf(q) === ana && q.headers['x-zupy-event'] === 'tier.upgraded'),
    ).toEqual([]);
    // Ana's upgrade waits for her registration, out of the claims' reach.
    const waiting = (await server.api.get('/api/v2/webhooks/deliveries/')).body.data.filter(
      (d: { waiting_for: string | null }) => d.waiting_for !== null,
    );
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({
      event_type: 'tier.upgraded',
      status: 'pending',
      next_attempt_at: null,
    });
    expect(waiting[0].waiting_for).toMatch(/^dlv_/);

    await waitUntil(
      () =>
        r.requests.some((q) => memberOf(q) === ana && q.headers['x-zupy-event'] === 'tier.upgraded')
          ? true
          : undefined,
      10_000,
    );
    const ofAna = r.requests.filter((q) => memberOf(q) === ana);
    expect(
      ofAna.map((q) => `${String(q.headers['x-zupy-event'])}#${String(q.headers['x-zupy-sequence'])}`),
    ).toEqual(['customer.registered#1', 'customer.registered#1', 'customer.registered#1', 'tier.upgraded#2']);
    const ofBruno = r.requests.filter((q) => memberOf(q) === bruno);
    expect(ofBruno.map((q) => q.headers['x-zupy-sequence'])).toEqual(['1', '2']);
    // Bruno was done before Ana's registration got through.
    const anaRegistered = r.requests.findIndex(
      (q, i) => memberOf(q) === ana && i > 0 && q.headers['x-zupy-attempt'] === '3',
    );
    const brunoDone = r.requests.findIndex((q) => memberOf(q) === bruno && body(q).event === 'tier.upgraded');
    expect(brunoDone).toBeLessThan(anaRegistered);
  });

  it('a delivery given up (failed) lets the member’s next one go', async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_RETRY_SCHEDULE: '0s,200ms' } });
    const r = await receiver((q) =>
      body(q).event === 'customer.registered' ? { status: 500 } : { status: 200 },
    );
    await endpoint(r.url);
    const ana = await register('11 90000-0041', 'Ana');
    await upgrade(ana, 'gold');
    await waitUntil(() => (r.requests.some((q) => body(q).event === 'tier.upgraded') ? true : undefined));
    expect(
      r.requests.map((q) => `${String(q.headers['x-zupy-event'])}#${String(q.headers['x-zupy-attempt'])}`),
    ).toEqual(['customer.registered#1', 'customer.registered#2', 'tier.upgraded#1']);
  });

  it('ordering "none" sends a member’s later event without waiting; switching to it releases what waited', async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_RETRY_SCHEDULE: '0s,1h' } });
    const r = await receiver((q) =>
      body(q).event === 'customer.registered' ? { status: 500 } : { status: 200 },
    );
    const ordered = await endpoint(r.url);
    const unordered = await receiver((q) =>
      body(q).event === 'customer.registered' ? { status: 500 } : { status: 200 },
    );
    const free = await endpoint(unordered.url, { ordering: 'none' });
    expect(free).toMatchObject({ ordering: 'none' });
    expect(ordered).toMatchObject({ ordering: 'member' });
    const ana = await register('11 90000-0051', 'Ana');
    await r.waitFor(1);
    await unordered.waitFor(1);
    await upgrade(ana, 'gold');
    // The unordered endpoint gets the upgrade while the registration waits for its retry in an hour.
    await unordered.waitFor(2);
    expect(body(unordered.requests[1]!).event).toBe('tier.upgraded');
    expect(unordered.requests[1]!.headers['x-zupy-sequence']).toBe('2');
    await settle(500);
    expect(r.requests).toHaveLength(1);
    // Turning ordering off releases the waiting upgrade at once.
    const patched = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${ordered.id}/`, {
      ordering: 'none',
    });
    expect(patched.body.ordering).toBe('none');
    await r.waitFor(2);
    expect(body(r.requests[1]!).event).toBe('tier.upgraded');
    // A bad value is a problem naming the field.
    const bad = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${ordered.id}/`, {
      ordering: 'sometimes',
    });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('ordering');
  });

  it('a worker that starts releases a delivery left waiting for one that ended without releasing it (a power loss of the unsynced bookkeeping)', async () => {
    server = await startTestServer();
    const r = await receiver();
    await endpoint(r.url);
    const ana = await register('11 90000-0065', 'Ana');
    await upgrade(ana, 'gold');
    const db = server.runtime.ctx.db;
    const [registration, upgraded] = await db
      .selectFrom('deliveries')
      .select(['id', 'seq', 'waits_for'])
      .orderBy('seq')
      .execute();
    expect(Number(upgraded!.waits_for)).toBe(Number(registration!.seq));
    // The registration's success was kept, its release of the upgrade was not.
    await db
      .updateTable('deliveries')
      .set({ status: 'succeeded', next_attempt_at: null })
      .where('id', '=', registration!.id)
      .execute();
    server.runtime.startWorker(server.app.log);
    await r.waitFor(1);
    expect(body(r.requests[0]!).event).toBe('tier.upgraded');
    expect(r.requests[0]!.headers['x-zupy-sequence']).toBe('2');
  });

  it('every delivery of a member event carries X-Zupy-Sequence, counted per member; test sends carry none', async () => {
    server = await startTestServer({ worker: true });
    const r = await receiver();
    const ep = await endpoint(r.url);
    const ana = await register('11 90000-0061', 'Ana');
    await upgrade(ana, 'silver');
    await upgrade(ana, 'gold');
    const bruno = await register('11 90000-0062', 'Bruno');
    await waitUntil(() => (r.requests.length === 4 ? true : undefined));
    const seq = (m: string) =>
      r.requests.filter((q) => memberOf(q) === m).map((q) => q.headers['x-zupy-sequence']);
    expect(seq(ana)).toEqual(['1', '2', '3']);
    expect(seq(bruno)).toEqual(['1']);
    const test = await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/test/`, {});
    expect(test.body.success).toBe(true);
    expect(test.body.request.headers['x-zupy-sequence']).toBeUndefined();
    const counted = await server.runtime.ctx.db
      .selectFrom('customers')
      .select(['member_id', 'events_recorded'])
      .orderBy('member_id')
      .execute();
    expect(Object.fromEntries(counted.map((c) => [c.member_id, Number(c.events_recorded)]))).toEqual({
      [ana]: 3,
      [bruno]: 1,
    });
  });
});

describe('endpoints that heal', () => {
  it('a failure-streak endpoint is probed on the schedule; the first 2xx enables it and its held deliveries flow in order', async () => {
    server = await startTestServer({
      worker: true,
      env: {
        ZUPY_RETRY_SCHEDULE: '0s,200ms,200ms,200ms,200ms',
        ZUPY_ENDPOINT_DISABLE_AFTER: '300ms',
        ZUPY_ENDPOINT_PROBE_SCHEDULE: '1s,3s',
      },
    });
    let down = true;
    const r = await receiver(() => (down ? { status: 502 } : { status: 200 }));
    const ep = await endpoint(r.url);
    const ana = await register('11 90000-0071', 'Ana');
    await waitUntil(async () => ((await endpointView(ep.id)).enabled === false ? true : undefined));
    await upgrade(ana, 'gold');
    const bruno = await register('11 90000-0072', 'Bruno');
    // The first probe (after 1 s) fails: a probe, not a retry of anything.
    const probes = () => r.requests.filter((q) => q.headers['x-zupy-test'] === 'true');
    await waitUntil(() => (probes().length === 1 ? true : undefined), 5_000);
    const firstProbe = probes()[0]!;
    expect(firstProbe.headers['x-zupy-event']).toBe('customer.registered');
    expect(firstProbe.headers['webhook-signature']).toMatch(/^v1,/);
    const afterFirst = await waitUntil(async () => {
      const view = await endpointView(ep.id);
      return view.enabled === false && Date.parse(view.next_probe_at) > Date.now() + 1_000 ? view : undefined;
    });
    expect(afterFirst.disabled_code).toBe('failure_streak');
    const probeLog = (
      await server.api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${ep.id}`)
    ).body.data.filter((d: { kind: string }) => d.kind === 'probe');
    // One probe so far (a slow machine may already have made the next): each failed, tried once.
    expect(probeLog.length).toBeGreaterThanOrEqual(1);
    for (const logged of probeLog)
      expect(logged).toMatchObject({ status: 'failed', test: true, attempts_count: 1 });
    // The receiver comes back: the next probe (3 s later) enables it and what was held flows.
    const sentWhileDisabled = r.requests.filter((q) => q.headers['x-zupy-test'] === undefined).length;
    down = false;
    await waitUntil(async () => ((await endpointView(ep.id)).enabled === true ? true : undefined), 10_000);
    // Every probe is in the log: the last one succeeded, every one before it failed.
    const allProbes = (await server.api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${ep.id}`)).body.data
      .filter((d: { kind: string }) => d.kind === 'probe')
      .map((d: { status: string }) => d.status);
    expect(allProbes).toHaveLength(probes().length);
    expect(allProbes[0]).toBe('succeeded');
    expect(allProbes.slice(1).every((status: string) => status === 'failed')).toBe(true);
    await r.waitForMembers([bruno]);
    await waitUntil(() =>
      r.requests.some((q) => q.headers['x-zupy-event'] === 'tier.upgraded') ? true : undefined,
    );
    const afterHeal = r.requests
      .filter((q) => q.headers['x-zupy-test'] === undefined)
      .slice(sentWhileDisabled)
      .filter((q) => memberOf(q) === ana);
    expect(afterHeal.map((q) => body(q).event)).toEqual(['customer.registered', 'tier.upgraded']);
    const healed = await endpointView(ep.id);
    expect(healed).toMatchObject({
      enabled: true,
      disabled_code: null,
      next_probe_at: null,
      held_deliveries: 0,
    });
  });

  it('a 410 endpoint is never probed, and neither is one a person disabled', async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_ENDPOINT_PROBE_SCHEDULE: '1s' } });
    const gone = await receiver(() => ({ status: 410 }));
    const goneEp = await endpoint(gone.url);
    const paused = await receiver();
    const pausedEp = await endpoint(paused.url);
    await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${pausedEp.id}/`, { enabled: false });
    await register('11 90000-0081', 'Ana');
    await waitUntil(async () => ((await endpointView(goneEp.id)).enabled === false ? true : undefined));
    expect(await endpointView(goneEp.id)).toMatchObject({ disabled_code: 'gone', next_probe_at: null });
    await settle(2_500);
    expect(gone.requests).toHaveLength(1);
    expect(paused.requests).toHaveLength(0);
    expect((await endpointView(pausedEp.id)).held_deliveries).toBe(1);
  });
});

describe('owners are told', () => {
  let smtp: SmtpSink | undefined;
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
  });

  it('endpoint.disabled, delivery.failed and endpoint.enabled reach a subscribed endpoint, signed, never the endpoint they are about; the owner gets e-mails', async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({
      worker: true,
      env: { ZUPY_SMTP_URL: smtp.url, ZUPY_SMTP_FROM: 'Zupy <zupy@example.com>' },
      ctx: { ownerNotices: { pollMs: 25 } },
    });
    expect(
      (
        await server.api.request('PATCH', '/api/v2/me/', {
          notification_email: 'dono@bellavista.com.br',
          language: 'pt-BR',
        })
      ).status,
    ).toBe(200);
    const gone = await receiver(() => ({ status: 410 }));
    // The failing endpoint subscribes to everything by name, operational events included.
    const crm = await endpoint(gone.url, {
      events: ['customer.registered', 'tier.upgraded', ...OPERATIONAL_EVENT_TYPES],
      description: 'CRM de vendas',
    });
    const opsReceiver = await receiver();
    const ops = await server.api.post('/api/v2/webhooks/endpoints/', {
      url: opsReceiver.url,
      events: [...OPERATIONAL_EVENT_TYPES],
    });
    // An endpoint with the default list gets customer events only.
    const plain = await receiver();
    await endpoint(plain.url);

    const ana = await register('11 90000-0091', 'Ana');
    await waitUntil(() => (opsReceiver.requests.length >= 2 ? true : undefined));
    const verifier = new Webhook(ops.body.secret.slice('whsec_'.length));
    const received = opsReceiver.requests.map((q) => {
      verifier.verify(q.body, q.headers as Record<string, string>);
      return parseEvent(q.body);
    });
    const disabled = received.find((e) => e.event === 'endpoint.disabled');
    const failed = received.find((e) => e.event === 'delivery.failed');
    expect(disabled).toMatchObject({
      company_id: server.companyId,
      endpoint: { id: crm.id, url: crm.url, description: 'CRM de vendas' },
      reason: { code: 'gone' },
      last_attempt: { status: 410, error: null },
      deliveries: { held: 0, failed_last_24h: 1 },
      next_probe_at: null,
    });
    expect(failed).toMatchObject({
      endpoint: { id: crm.id },
      delivery: { event_type: 'customer.registered', attempts: 1 },
      last_attempt: { status: 410 },
    });
    expect(opsReceiver.requests.every((q) => q.headers['x-zupy-sequence'] === undefined)).toBe(true);

    // While disabled, a new registration is held for it; re-enabling says so, and discards nothing.
    await register('11 90000-0092', 'Bruno');
    gone.respond = () => ({ status: 200 });
    await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${crm.id}/`, { enabled: true });
    await waitUntil(() => (opsReceiver.requests.length >= 3 ? true : undefined));
    const enabled = parseEvent(opsReceiver.requests[2]!.body);
    expect(enabled).toMatchObject({
      event: 'endpoint.enabled',
      endpoint: { id: crm.id },
      enabled_by: 'operator',
      deliveries: { held: 1 },
      discarded: 0,
    });
    await gone.waitFor(2);
    await settle(300);
    // The endpoint never heard about itself, and the default-list endpoint got customer events only.
    expect(gone.requests.map((q) => q.headers['x-zupy-event'])).toEqual([
      'customer.registered',
      'customer.registered',
    ]);
    expect(new Set(plain.requests.map((q) => q.headers['x-zupy-event']))).toEqual(
      new Set(['customer.registered']),
    );
    expect(plain.requests.map(memberOf)).toContain(ana);

    // The owner's e-mails, in Portuguese: disabled, then enabled again.
    const mails = await smtp.waitFor(2);
    expect(mails.map((m) => m.to)).toEqual([['dono@bellavista.com.br'], ['dono@bellavista.com.br']]);
    expect(mails[0]!.subject).toContain('desativado');
    expect(mails[0]!.text).toContain(crm.url);
    expect(mails[0]!.text).toContain('CRM de vendas');
    expect(mails[1]!.subject.toLowerCase()).toContain('reativado');
  });
});
