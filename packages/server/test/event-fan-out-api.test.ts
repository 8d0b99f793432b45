import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { receiverPool, type Receiver, type Reply } from './helpers/receiver.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * Recording an event and its deliveries (events/record-event.ts), read through the API: one delivery
 * per subscribed endpoint (an empty list: the customer events; a list: those only; never a deleted
 * endpoint, another company's, or the endpoint an operational event is about), the member's sequence,
 * the member order of an endpoint ordered by member, and test sends. One server for the file, its
 * worker polling once an hour: a delivery that arrives was woken by its event's commit. Each test has
 * its own endpoints and members and deletes its endpoints at the end.
 */
let server: TestServer;
const receivers = receiverPool();
const created: string[] = [];
let phones = 0;

beforeAll(async () => {
  server = await startTestServer({ worker: { pollMs: 3_600_000 } });
});
afterEach(async () => {
  for (const id of created.splice(0)) await server.api.request('DELETE', `/api/v2/webhooks/endpoints/${id}/`);
  await receivers.closeAll();
});
afterAll(() => server?.close());

async function endpoint(receiver: Receiver, extra: Record<string, unknown> = {}, api = server.api) {
  const res = await api.post('/api/v2/webhooks/endpoints/', { url: receiver.url, ...extra });
  expect(res.status).toBe(201);
  if (api === server.api) created.push(res.body.id);
  return res.body as { id: string };
}

async function register(api = server.api): Promise<string> {
  phones += 1;
  const res = await api.post('/api/v2/customers/', {
    phone: `11 94${String(phones).padStart(3, '0')}-0000`,
    name: `Member ${phones}`,
  });
  expect(res.status).toBe(201);
  return res.body.customer.member_id;
}

async function rename(memberId: string, name: string) {
  const res = await server.api.request('PATCH', `/api/v2/customers/${memberId}/`, { name });
  expect(res.status).toBe(200);
}

/** Every delivery to the endpoint, oldest first. */
async function deliveriesTo(endpointId: string, api = server.api): Promise<any[]> {
  const res = await api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${endpointId}&page_size=100`);
  expect(res.status).toBe(200);
  return [...res.body.data].reverse();
}

/** The delivery of this member's `n`-th event (1 = the registration) that reached `r`. */
async function reached(r: Receiver, memberId: string, sequence: number) {
  const request = await waitUntil(() =>
    r.requests.find(
      (q) =>
        JSON.parse(q.body).customer?.member_id === memberId &&
        q.headers['x-zupy-sequence'] === String(sequence),
    ),
  );
  return String(request.headers['x-zupy-delivery']);
}

const answering = (reply: Reply) => () => reply;

describe('recording an event and its deliveries', () => {
  it('one delivery per subscribed endpoint, the same event, each its own id, woken at once', async () => {
    const all = await receivers.start();
    const named = await receivers.start();
    const other = await receivers.start();
    const gone = await receivers.start();
    const opsOnly = await receivers.start();
    const elsewhere = await receivers.start();
    const allEp = await endpoint(all);
    const namedEp = await endpoint(named, { events: ['points.earned', 'customer.registered'] });
    const otherEp = await endpoint(other, { events: ['points.earned'] });
    const goneEp = await endpoint(gone);
    const opsEp = await endpoint(opsOnly, { events: ['delivery.failed'] });
    const company = await server.newCompany('Elsewhere');
    const elsewhereEp = await endpoint(elsewhere, {}, company.api);
    expect((await server.api.request('DELETE', `/api/v2/webhooks/endpoints/${goneEp.id}/`)).status).toBe(204);

    const memberId = await register();
    const [a] = await all.waitFor(1);
    const [n] = await named.waitFor(1);
    expect(a!.body).toBe(n!.body);
    expect(JSON.parse(a!.body)).toMatchObject({
      event: 'customer.registered',
      customer: { member_id: memberId },
    });
    expect(a!.headers['x-zupy-event-id']).toBe(n!.headers['x-zupy-event-id']);
    expect(a!.headers['x-zupy-delivery']).not.toBe(n!.headers['x-zupy-delivery']);
    const [event] = (
      await server.api.get('/api/v2/events/?type=customer.registered&page_size=100')
    ).body.data.filter((e: any) => e.payload.customer.member_id === memberId);
    expect(event.id).toBe(a!.headers['x-zupy-event-id']);
    expect(event.id).toMatch(/^evt_/);
    expect(a!.headers['x-zupy-delivery']).toMatch(/^dlv_/);
    for (const id of [allEp.id, namedEp.id]) {
      expect(await deliveriesTo(id)).toEqual([
        expect.objectContaining({
          event_id: event.id,
          event_type: 'customer.registered',
          endpoint_id: id,
          kind: 'event',
          test: false,
          waiting_for: null,
        }),
      ]);
    }
    // Not to an endpoint that names other events, a deleted one, one that names only operational
    // events, or another company's.
    expect(await deliveriesTo(otherEp.id)).toEqual([]);
    expect(await deliveriesTo(opsEp.id)).toEqual([]);
    expect(await deliveriesTo(elsewhereEp.id, company.api)).toEqual([]);
    expect(gone.requests).toEqual([]);
    expect(elsewhere.requests).toEqual([]);
    expect(await deliveriesTo(goneEp.id)).toEqual([]);
  });

  it('a disabled endpoint’s deliveries are recorded and held; an operational event goes to the endpoints that name it, never to the one it is about', async () => {
    const customers = await receivers.start();
    const watcher = await receivers.start();
    const customersEp = await endpoint(customers);
    await endpoint(watcher, { events: ['endpoint.disabled'] });
    const selfEp = await endpoint(await receivers.start(), {
      events: ['endpoint.disabled', 'customer.registered'],
    });
    const paused = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${selfEp.id}/`, {
      enabled: false,
    });
    expect(paused.status).toBe(200);
    // endpoint.disabled about selfEp: to the watcher; not to selfEp (about it), not to customersEp
    // (its empty list means the customer events).
    const [sent] = await watcher.waitFor(1);
    expect(JSON.parse(sent!.body)).toMatchObject({ event: 'endpoint.disabled', endpoint: { id: selfEp.id } });
    expect(await deliveriesTo(customersEp.id)).toEqual([]);
    expect(await deliveriesTo(selfEp.id)).toEqual([]);

    await register();
    const held = await deliveriesTo(selfEp.id);
    expect(held).toEqual([expect.objectContaining({ status: 'held', event_type: 'customer.registered' })]);
    expect((await server.api.get(`/api/v2/webhooks/endpoints/${selfEp.id}/`)).body.held_deliveries).toBe(1);
    await customers.waitFor(1);
    expect(watcher.requests).toHaveLength(1);
  });

  it('each member’s events are numbered from 1 in X-Zupy-Sequence; a test send carries none', async () => {
    const r = await receivers.start();
    // Unordered: the next test is the first to run the member-order query, whose builder runs once
    // per server (db/prepared-query.ts), so `npm run mutation` counts its mutants as covered by it.
    const ep = await endpoint(r, { ordering: 'none' });
    const first = await register();
    await rename(first, 'First again');
    const second = await register();
    await rename(first, 'First thrice');
    const seq = (memberId: string) =>
      r.requests
        .filter((q) => JSON.parse(q.body).customer?.member_id === memberId)
        .map((q) => q.headers['x-zupy-sequence']);
    await r.waitFor(4);
    expect(seq(first)).toEqual(['1', '2', '3']);
    expect(seq(second)).toEqual(['1']);
    const test = await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/test/`, {});
    expect(test.status).toBe(200);
    const [sample] = r.requests.filter((q) => q.headers['x-zupy-test'] === 'true');
    expect(sample!.headers['x-zupy-sequence']).toBeUndefined();
  });

  it('on an endpoint ordered by member, a member’s event waits for their latest pending delivery there, not an earlier one; other members and unordered endpoints do not wait', async () => {
    // Every first attempt fails (then retried in a minute, after the test): deliveries stay pending.
    const ordered = await receivers.start(answering({ status: 500 }));
    const unordered = await receivers.start(answering({ status: 500 }));
    const orderedEp = await endpoint(ordered, { ordering: 'member' });
    const unorderedEp = await endpoint(unordered, { ordering: 'none' });
    const ana = await register();
    const d1 = await reached(ordered, ana, 1);
    await rename(ana, 'Ana 2');
    await rename(ana, 'Ana 3');
    const bruno = await register();
    await reached(ordered, bruno, 1);
    const toOrdered = await deliveriesTo(orderedEp.id);
    expect(toOrdered.map((d) => [d.event_type, d.waiting_for, d.next_attempt_at === null])).toEqual([
      ['customer.registered', null, false],
      ['customer.updated', d1, true],
      ['customer.updated', toOrdered[1].id, true],
      ['customer.registered', null, false],
    ]);
    expect(toOrdered[1].id).not.toBe(d1);
    // Unordered: all three of Ana's sent at once.
    await reached(unordered, ana, 3);
    expect((await deliveriesTo(unorderedEp.id)).every((d) => d.waiting_for === null)).toBe(true);

    // Once a member's delivery has ended, their next event does not wait.
    const ok = await receivers.start();
    const okEp = await endpoint(ok, { ordering: 'member' });
    const carla = await register();
    await waitUntil(async () =>
      (await deliveriesTo(okEp.id)).at(-1)?.status === 'succeeded' ? true : undefined,
    );
    await rename(carla, 'Carla 2');
    await reached(ok, carla, 2);
  });

  it('a delivery recorded unordered is never waited for, even once the endpoint orders by member', async () => {
    const r = await receivers.start(answering({ status: 500 }));
    const ep = await endpoint(r, { ordering: 'none' });
    const dana = await register();
    await reached(r, dana, 1);
    const switched = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, {
      ordering: 'member',
    });
    expect(switched.status).toBe(200);
    await rename(dana, 'Dana 2');
    await reached(r, dana, 2);
    expect((await deliveriesTo(ep.id)).map((d) => d.waiting_for)).toEqual([null, null]);
  });

  it('once an endpoint stops ordering, a member’s next event does not wait for one recorded while it did', async () => {
    const r = await receivers.start(answering({ status: 500 }));
    const ep = await endpoint(r, { ordering: 'member' });
    const fred = await register();
    await reached(r, fred, 1);
    const switched = await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, {
      ordering: 'none',
    });
    expect(switched.status).toBe(200);
    await rename(fred, 'Fred 2');
    await reached(r, fred, 2);
    expect((await deliveriesTo(ep.id)).map((d) => [d.status, d.waiting_for])).toEqual([
      ['pending', null],
      ['pending', null],
    ]);
  });

  it('a test send is one delivery to that endpoint only, kind test, left to its caller: not listed among the events, never sent by the worker', async () => {
    const r = await receivers.start(answering({ status: 500 }));
    const bystander = await receivers.start();
    const ep = await endpoint(r, { ordering: 'member' });
    const bystanderEp = await endpoint(bystander);
    const eventsBefore = (await server.api.get('/api/v2/events/?page_size=100')).body.data.length;
    const res = await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/test/`, {});
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(false);
    const d = (await server.api.get(`/api/v2/webhooks/deliveries/${res.body.delivery_id}/`)).body;
    expect(d).toMatchObject({
      kind: 'test',
      test: true,
      status: 'failed',
      attempts_count: 1,
      waiting_for: null,
    });
    expect(await deliveriesTo(bystanderEp.id)).toEqual([]);
    expect((await server.api.get('/api/v2/events/?page_size=100')).body.data).toHaveLength(eventsBefore);
    // A registration after it is woken and sent; by then the worker has been round, and the test
    // send was sent once, by its caller.
    const eve = await register();
    await reached(r, eve, 1);
    await waitUntil(async () =>
      (await deliveriesTo(ep.id)).at(-1)?.attempts_count === 1 ? true : undefined,
    );
    expect(r.requests.filter((q) => q.headers['x-zupy-test'] === 'true')).toHaveLength(1);
  });
});
