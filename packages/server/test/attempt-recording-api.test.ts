import { parseEvent } from '@zupy/webhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { receiverPool, type Receiver, type Reply } from './helpers/receiver.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * What recording an attempt decides (delivery/record-attempt.ts), read through the API: the next
 * attempt on the retry schedule with its jitter, the series given up and `delivery.failed`, the
 * endpoint's failure streak and its disabling, a 410, a `Retry-After` pause, test sends, and the
 * member's next delivery let go when one is given up. One server for the file, its clock injected
 * and moved by the tests (no test waits for a retry's delay) and its jitter fixed at half the
 * maximum; each test has its own endpoints and members, and deletes its endpoints at the end.
 */
const SCHEDULE = [0, 60_000, 300_000];
/** `random` is 0.5: each delay gets half of the 10 % jitter. */
const jittered = (ms: number) => Math.round(ms * 1.05);
const DISABLE_AFTER_MS = 600_000;
const FIRST_PROBE_MS = 120_000;

let now = Math.floor(Date.now() / 1000) * 1000;
/** As the database keeps it (ms). */
const iso = (ms: number) => new Date(ms).toISOString();
/** As the API and event bodies show it (whole seconds). */
const api = (ms: number) => iso(ms).replace(/\.\d{3}Z$/, 'Z');
/** Moves the server's clock on; the worker polls every 250 ms and finds what became due. */
const advance = (ms: number) => {
  now += ms;
};

let server: TestServer;
const receivers = receiverPool();
const created: string[] = [];
let phones = 0;

beforeAll(async () => {
  server = await startTestServer({
    worker: true,
    env: {
      ZUPY_RETRY_SCHEDULE: '0s,1m,5m',
      ZUPY_ENDPOINT_DISABLE_AFTER: '10m',
      ZUPY_ENDPOINT_PROBE_SCHEDULE: '2m,10m',
    },
    ctx: { clock: () => new Date(now), random: () => 0.5 },
  });
});
afterEach(async () => {
  for (const id of created.splice(0)) await server.api.request('DELETE', `/api/v2/webhooks/endpoints/${id}/`);
  await receivers.closeAll();
});
afterAll(() => server?.close());

async function endpoint(receiver: Receiver, extra: Record<string, unknown> = {}) {
  const res = await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url, ...extra });
  expect(res.status).toBe(201);
  created.push(res.body.id);
  return res.body as { id: string };
}

/** A new member (a `customer.registered` to every endpoint listening to customer events). */
async function register(): Promise<string> {
  phones += 1;
  const res = await server.api.post('/api/v2/customers/', {
    phone: `11 95${String(phones).padStart(3, '0')}-0000`,
    name: `Member ${phones}`,
  });
  expect(res.status).toBe(201);
  return res.body.customer.member_id;
}

const deliveryOf = (id: string) => server.api.get(`/api/v2/webhooks/deliveries/${id}/`).then((r) => r.body);
const endpointOf = (id: string) => server.api.get(`/api/v2/webhooks/endpoints/${id}/`).then((r) => r.body);

/** The one delivery to the endpoint once `check` holds for it. */
async function deliveryTo(endpointId: string, check: (d: any) => boolean, event = 'customer.registered') {
  return waitUntil(async () => {
    const list = await server.api.get(
      `/api/v2/webhooks/deliveries/?endpoint_id=${endpointId}&event=${event}`,
    );
    const [first] = list.body.data;
    if (first === undefined) return undefined;
    const d = await deliveryOf(first.id);
    return check(d) ? d : undefined;
  });
}

/** The delivery of this member's event that reached `r`, once `attempts` of its attempts are recorded. */
async function attemptedFor(r: Receiver, memberId: string, attempts = 1) {
  const request = await waitUntil(() =>
    r.requests.find((q) => JSON.parse(q.body).customer?.member_id === memberId),
  );
  const id = String(request.headers['x-zupy-delivery']);
  return waitUntil(async () => {
    const d = await deliveryOf(id);
    return d.attempts_count >= attempts ? d : undefined;
  });
}

async function failingSince(endpointId: string): Promise<string | null> {
  const row = await server.runtime.ctx.db
    .selectFrom('webhook_endpoints')
    .select('failing_since')
    .where('id', '=', endpointId)
    .executeTakeFirstOrThrow();
  return row.failing_since;
}

/** The company's operational events of `type` about this endpoint (the events API lists them). */
async function eventsAbout(type: string, endpointId: string) {
  const res = await server.api.get(`/api/v2/events/?type=${type}&page_size=100`);
  return res.body.data
    .map((e: { payload: unknown }) => e.payload)
    .filter((p: any) => p.endpoint?.id === endpointId);
}

const answering = (reply: Reply) => () => reply;

/** The worker's recorded attempts by result, as `/metrics` counts them. */
async function attemptsCounted(): Promise<Record<string, number>> {
  const text = (await server.api.get('/metrics')).text;
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^zupy_delivery_attempts_total\{result="([^"]*)"\} (\d+)$/gm))
    counts[m[1]!] = Number(m[2]);
  return counts;
}

/** Waits until `/metrics` has counted `more` attempts of each result since `since`. */
const counted = (since: Record<string, number>, more: Record<string, number>) =>
  waitUntil(async () => {
    const now = await attemptsCounted();
    const delta = Object.fromEntries(
      ['succeeded', 'retrying', 'failed'].map((k) => [k, (now[k] ?? 0) - (since[k] ?? 0)]),
    );
    return Object.entries(more).every(([k, n]) => delta[k] === n) ? delta : undefined;
  });

describe('recording an attempt', () => {
  it('a failure is logged and retried on the schedule with its jitter; the last one gives up, with delivery.failed', async () => {
    const r = await receivers.start(answering({ status: 500, body: 'busy' }));
    const ep = await endpoint(r);
    const metrics = await attemptsCounted();
    const memberId = await register();
    const firstAt = now;
    let d = await deliveryTo(ep.id, (x) => x.attempts_count === 1);
    await counted(metrics, { retrying: 1, failed: 0 });
    expect(d).toMatchObject({
      status: 'pending',
      attempts_count: 1,
      next_attempt_at: api(firstAt + jittered(SCHEDULE[1]!)),
    });
    expect(d.attempts).toHaveLength(1);
    expect(d.attempts[0]).toMatchObject({
      attempt: 1,
      started_at: iso(firstAt),
      response_status: 500,
      response_body: 'busy',
      error: null,
      error_code: null,
    });
    // The streak starts with the first failure and is kept, not moved, by the next ones.
    expect(await failingSince(ep.id)).toBe(iso(firstAt));

    advance(jittered(SCHEDULE[1]!));
    const secondAt = now;
    d = await deliveryTo(ep.id, (x) => x.attempts_count === 2);
    expect(d).toMatchObject({ status: 'pending', next_attempt_at: api(secondAt + jittered(SCHEDULE[2]!)) });
    expect(d.attempts.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2]);
    expect(await failingSince(ep.id)).toBe(iso(firstAt));
    expect(await eventsAbout('delivery.failed', ep.id)).toEqual([]);

    advance(jittered(SCHEDULE[2]!));
    const lastAt = now;
    d = await deliveryTo(ep.id, (x) => x.status === 'failed');
    expect(d).toMatchObject({ attempts_count: 3, next_attempt_at: null });
    expect(d.attempts).toHaveLength(3);
    await counted(metrics, { retrying: 2, failed: 1, succeeded: 0 });
    const [failed] = await eventsAbout('delivery.failed', ep.id);
    expect(failed).toMatchObject({
      delivery: { id: d.id, event_id: d.event_id, event_type: 'customer.registered', attempts: 3 },
      last_attempt: { status: 500, error: null, error_code: null, at: api(lastAt) },
    });
    expect(await failingSince(ep.id)).toBe(iso(firstAt));
    expect((await endpointOf(ep.id)).enabled).toBe(true);
    expect(r.requests.map((q) => JSON.parse(q.body).customer.member_id)).toEqual([
      memberId,
      memberId,
      memberId,
    ]);

    // Redelivered, it gets a new series: its fourth attempt is the series' first, retried on the
    // schedule again.
    expect((await server.api.post(`/api/v2/webhooks/deliveries/${d.id}/redeliver/`)).status).toBe(202);
    const againAt = now;
    d = await deliveryTo(ep.id, (x) => x.attempts_count === 4);
    expect(d).toMatchObject({ status: 'pending', next_attempt_at: api(againAt + jittered(SCHEDULE[1]!)) });
    advance(jittered(SCHEDULE[1]!));
    const fifthAt = now;
    d = await deliveryTo(ep.id, (x) => x.attempts_count === 5);
    expect(d).toMatchObject({ status: 'pending', next_attempt_at: api(fifthAt + jittered(SCHEDULE[2]!)) });
  });

  it('no answer at all is a failure like a 500: retried, and delivery.failed names the error', async () => {
    const r = await receivers.start();
    await r.goDown();
    const ep = await endpoint(r);
    await register();
    await deliveryTo(ep.id, (x) => x.attempts_count === 1);
    advance(jittered(SCHEDULE[1]!));
    await deliveryTo(ep.id, (x) => x.attempts_count === 2);
    advance(jittered(SCHEDULE[2]!));
    const lastAt = now;
    const d = await deliveryTo(ep.id, (x) => x.status === 'failed');
    expect(d.attempts[2]).toMatchObject({ response_status: null, error_code: 'connection_refused' });
    const [failed] = await eventsAbout('delivery.failed', ep.id);
    expect(failed.last_attempt).toEqual({
      status: null,
      error: 'connection refused',
      error_code: 'connection_refused',
      at: api(lastAt),
    });
  });

  it('a 2xx other than 200 succeeds, a 3xx fails; success ends the streak', async () => {
    let reply: Reply = { status: 500 };
    const r = await receivers.start(() => reply);
    const ep = await endpoint(r);
    await register();
    const failedAt = now;
    await deliveryTo(ep.id, (x) => x.attempts_count === 1);
    expect(await failingSince(ep.id)).toBe(iso(failedAt));
    reply = { status: 299 };
    advance(jittered(SCHEDULE[1]!));
    const d = await deliveryTo(ep.id, (x) => x.status === 'succeeded');
    expect(d).toMatchObject({ attempts_count: 2, next_attempt_at: null });
    expect(await failingSince(ep.id)).toBeNull();

    reply = { status: 300 };
    const other = await receivers.start(() => reply);
    const second = await endpoint(other);
    await register();
    const redirected = await deliveryTo(second.id, (x) => x.attempts_count === 1);
    expect(redirected).toMatchObject({
      status: 'pending',
      next_attempt_at: api(now + jittered(SCHEDULE[1]!)),
    });
    expect(redirected.attempts[0].response_status).toBe(300);
  });

  it('an endpoint failing every attempt for the period is disabled: not a millisecond before, and counted from its first failure', async () => {
    const r = await receivers.start(answering({ status: 500 }));
    const ep = await endpoint(r);
    const ops = await receivers.start();
    await endpoint(ops, { events: ['endpoint.disabled'] });
    const streakStart = now;
    await register();
    await deliveryTo(ep.id, (x) => x.attempts_count === 1);
    // A new event one millisecond before the period is over: it fails, the endpoint stays enabled.
    advance(DISABLE_AFTER_MS - 1);
    await attemptedFor(r, await register());
    expect(await endpointOf(ep.id)).toMatchObject({ enabled: true, disabled_code: null });
    expect(await failingSince(ep.id)).toBe(iso(streakStart));
    // At the period: disabled for its streak, probed on the probe schedule.
    advance(1);
    await attemptedFor(r, await register());
    const view = await waitUntil(async () => {
      const v = await endpointOf(ep.id);
      return v.enabled === false ? v : undefined;
    });
    expect(view).toMatchObject({
      disabled_code: 'failure_streak',
      disabled_reason: `every attempt failed since ${iso(streakStart).slice(0, 19)}Z`,
      disabled_at: api(now),
      next_probe_at: api(now + FIRST_PROBE_MS),
    });
    const disabled = await waitUntil(async () => (await eventsAbout('endpoint.disabled', ep.id))[0]);
    expect(disabled).toMatchObject({
      reason: { code: 'failure_streak' },
      failing_since: api(streakStart),
      last_attempt: { status: 500, error: null, error_code: null, at: api(now) },
    });
    const sent = await ops.waitFor(1);
    expect(parseEvent(sent[0]!.body).event).toBe('endpoint.disabled');

    // A probe that fails keeps it disabled and its streak as it was; one that succeeds enables it.
    const probesBefore = r.requests.length;
    advance(FIRST_PROBE_MS);
    await waitUntil(() => (r.requests.length > probesBefore ? true : undefined));
    const probed = await waitUntil(async () => {
      const v = await endpointOf(ep.id);
      return v.next_probe_at !== view.next_probe_at ? v : undefined;
    });
    expect(probed).toMatchObject({ enabled: false, disabled_code: 'failure_streak' });
    expect(await failingSince(ep.id)).toBe(iso(streakStart));
    r.respond = answering({ status: 204 });
    advance(600_000);
    await waitUntil(async () => ((await endpointOf(ep.id)).enabled ? true : undefined));
    expect(await failingSince(ep.id)).toBeNull();
  });

  it('a 410 Gone gives up at once and disables the endpoint as gone, never probed', async () => {
    const r = await receivers.start(answering({ status: 410 }));
    const ep = await endpoint(r);
    await register();
    const d = await deliveryTo(ep.id, (x) => x.status === 'failed');
    expect(d).toMatchObject({ attempts_count: 1, next_attempt_at: null });
    const view = await waitUntil(async () => {
      const v = await endpointOf(ep.id);
      return v.enabled === false ? v : undefined;
    });
    expect(view).toMatchObject({
      disabled_code: 'gone',
      disabled_reason: 'the receiver answered 410 Gone',
      next_probe_at: null,
    });
    const [disabled] = await eventsAbout('endpoint.disabled', ep.id);
    expect(disabled).toMatchObject({ reason: { code: 'gone' }, last_attempt: { status: 410 } });
  });

  it('a 503 with Retry-After pauses the endpoint until then, and again when its first delivery after the pause gets another', async () => {
    const r = await receivers.start(answering({ status: 503, headers: { 'retry-after': '120' } }));
    const ep = await endpoint(r);
    await register();
    const pausedAt = now;
    const d = await deliveryTo(ep.id, (x) => x.attempts_count === 1);
    // The receiver's 120 s, longer than the schedule's 63 s.
    expect(d.next_attempt_at).toBe(api(pausedAt + 120_000));
    expect((await endpointOf(ep.id)).paused_until).toBe(api(pausedAt + 120_000));
    advance(120_000);
    const again = now;
    await deliveryTo(ep.id, (x) => x.attempts_count === 2);
    const view = await waitUntil(async () => {
      const v = await endpointOf(ep.id);
      return v.paused_until === api(again + 120_000) ? v : undefined;
    });
    expect(view.enabled).toBe(true);
    // Still paused once the worker has ended the single delivery's turn.
    await waitUntil(async () => {
      const row = await server.runtime.ctx.db
        .selectFrom('webhook_endpoints')
        .select(['paused_until', 'resuming_until'])
        .where('id', '=', ep.id)
        .executeTakeFirstOrThrow();
      return row.resuming_until === null ? true : undefined;
    });
    expect((await endpointOf(ep.id)).paused_until).toBe(api(again + 120_000));
  });

  it('a test send is tried once: a 500 is not retried and a 410 does not disable; neither starts a streak', async () => {
    const r = await receivers.start(answering({ status: 500 }));
    const ep = await endpoint(r);
    const send = async () => {
      const res = await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/test/`, {});
      expect(res.status).toBe(200);
      return deliveryOf(res.body.delivery_id);
    };
    expect(await send()).toMatchObject({
      status: 'failed',
      attempts_count: 1,
      next_attempt_at: null,
      test: true,
    });
    r.respond = answering({ status: 410 });
    expect(await send()).toMatchObject({ status: 'failed', attempts_count: 1, test: true });
    expect(await endpointOf(ep.id)).toMatchObject({ enabled: true, disabled_code: null });
    expect(await failingSince(ep.id)).toBeNull();
    expect(await eventsAbout('delivery.failed', ep.id)).toEqual([]);
  });

  it('a member’s next delivery to an ordered endpoint waits while the first is retried, and goes when it is given up', async () => {
    const r = await receivers.start((req) =>
      JSON.parse(req.body).event === 'customer.registered' ? { status: 500 } : { status: 200 },
    );
    const ep = await endpoint(r, { ordering: 'member' });
    const memberId = await register();
    const update = await server.api.request('PATCH', `/api/v2/customers/${memberId}/`, { name: 'Renamed' });
    expect(update.status).toBe(200);
    const first = await deliveryTo(ep.id, (x) => x.attempts_count === 1);
    const next = await deliveryTo(ep.id, () => true, 'customer.updated');
    expect(next).toMatchObject({ status: 'pending', attempts_count: 0, waiting_for: first.id });
    advance(jittered(SCHEDULE[1]!));
    await deliveryTo(ep.id, (x) => x.attempts_count === 2);
    expect(await deliveryOf(next.id)).toMatchObject({ waiting_for: first.id, attempts_count: 0 });
    advance(jittered(SCHEDULE[2]!));
    await deliveryTo(ep.id, (x) => x.status === 'failed');
    expect(await deliveryTo(ep.id, (x) => x.status === 'succeeded', 'customer.updated')).toMatchObject({
      waiting_for: null,
      attempts_count: 1,
    });
  });

  it('an operational event’s delivery given up tells no one (no delivery.failed about delivery.failed)', async () => {
    const customers = await receivers.start(answering({ status: 500 }));
    const ep = await endpoint(customers);
    const opsDown = await receivers.start(answering({ status: 500 }));
    const down = await endpoint(opsDown, { events: ['delivery.failed'] });
    await register();
    await deliveryTo(ep.id, (x) => x.attempts_count === 1);
    advance(jittered(SCHEDULE[1]!));
    await deliveryTo(ep.id, (x) => x.attempts_count === 2);
    advance(jittered(SCHEDULE[2]!));
    await deliveryTo(ep.id, (x) => x.status === 'failed');
    // The delivery.failed about `ep` goes to the operational endpoint, which fails it three times.
    await deliveryTo(down.id, (x) => x.attempts_count === 1, 'delivery.failed');
    advance(jittered(SCHEDULE[1]!));
    await deliveryTo(down.id, (x) => x.attempts_count === 2, 'delivery.failed');
    advance(jittered(SCHEDULE[2]!));
    await deliveryTo(down.id, (x) => x.status === 'failed', 'delivery.failed');
    expect(await eventsAbout('delivery.failed', down.id)).toEqual([]);
    expect(await eventsAbout('delivery.failed', ep.id)).toHaveLength(1);
  });

  it('a delivery cancelled while its attempt is in flight (its member erased) keeps no trace of the attempt', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const r = await receivers.start(async () => {
      await held;
      return { status: 500, body: 'late' };
    });
    const ep = await endpoint(r);
    const metrics = await attemptsCounted();
    const memberId = await register();
    await r.waitFor(1);
    expect((await server.api.request('DELETE', `/api/v2/customers/${memberId}/`)).status).toBe(200);
    release();
    // The erasure's customer.deleted was held by the same receiver and answered with it: once its
    // failure is recorded, so is (or is refused) the registration's, answered at the same moment.
    await deliveryTo(ep.id, (x) => x.attempts_count === 1, 'customer.deleted');
    const d = await deliveryTo(ep.id, (x) => x.status === 'discarded');
    expect(d).toMatchObject({ attempts_count: 0, attempts: [] });
    // Counted as given up (it will never be sent again), and customer.deleted's as retrying.
    await counted(metrics, { failed: 1, retrying: 1 });
  });

  it('an endpoint disabled by hand while an attempt is in flight stays as the person left it, whatever the answer', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const r = await receivers.start(async () => {
      await held;
      return { status: 410 };
    });
    const ep = await endpoint(r);
    await register();
    await r.waitFor(1);
    const off = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, { enabled: false });
    expect(off.status).toBe(200);
    release();
    await deliveryTo(ep.id, (x) => x.status === 'failed');
    expect(await endpointOf(ep.id)).toMatchObject({
      enabled: false,
      disabled_code: 'manual',
      next_probe_at: null,
    });
    expect((await eventsAbout('endpoint.disabled', ep.id)).map((e: any) => e.reason.code)).toEqual([
      'manual',
    ]);
    expect(await failingSince(ep.id)).toBeNull();
  });
});
