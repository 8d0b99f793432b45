import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let receiver: Receiver;
beforeAll(async () => {
  server = await startTestServer({ worker: true });
  receiver = await startReceiver();
  expect((await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url + '/hook' })).status).toBe(
    201,
  );
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});

const patch = (memberId: string, body: unknown) =>
  server.api.request('PATCH', `/api/v2/customers/${memberId}/`, body);

/** The bodies received so far of this type about this member. */
function received(type: string, memberId: string): any[] {
  return receiver.requests
    .map((r) => JSON.parse(r.body))
    .filter((b) => b.event === type && b.customer.member_id === memberId);
}

async function waitForEvent(type: string, memberId: string, count: number): Promise<any[]> {
  await expect.poll(() => received(type, memberId).length, { timeout: 15_000 }).toBe(count);
  return received(type, memberId);
}

async function storedEvents(memberId: string): Promise<{ type: string; body: string }[]> {
  return server.runtime.ctx.db
    .selectFrom('events')
    .select(['type', 'body'])
    .where('member_id', '=', memberId)
    .orderBy('seq')
    .execute();
}

let n = 0;
/** A new customer with its own phone, e-mail and CPF. */
async function register(extra: Record<string, unknown> = {}): Promise<any> {
  n++;
  const cpfs = ['11144477735', '52998224725', '39053344705', '15350946056', '71428793860', '87748248800'];
  const res = await server.api.post('/api/v2/customers/', {
    phone: `(11) 9${String(70000000 + n).padStart(8, '0')}`,
    name: `Cliente ${n}`,
    email: `cliente${n}@example.com`,
    cpf: cpfs[n - 1],
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.body.customer;
}

describe('PATCH /customers/{member_id}/', () => {
  it('corrects the e-mail and records customer.updated with exactly the contract’s keys, new values only', async () => {
    const c = await register();
    const res = await patch(c.member_id, { email: '  Novo.Email@Example.COM ', name: 'Cliente  Corrigido ' });
    expect(res.status).toBe(200);
    expect(res.body.changed_fields).toEqual(['email', 'name']);
    expect(res.body.customer).toMatchObject({
      member_id: c.member_id,
      email: 'novo.email@example.com',
      name: 'Cliente Corrigido',
    });
    expect((await server.api.get(`/api/v2/customers/${c.member_id}/`)).body.email).toBe(
      'novo.email@example.com',
    );

    const [event] = await waitForEvent('customer.updated', c.member_id, 1);
    expect(Object.keys(event)).toEqual(['event', 'timestamp', 'company_id', 'customer', 'changed_fields']);
    expect(Object.keys(event.customer)).toEqual([
      'member_id',
      'whatsapp',
      'email',
      'name',
      'cpf',
      'tier',
      'marketing_opt_in',
    ]);
    expect(event).toMatchObject({
      company_id: 'comp_bella_vista',
      customer: {
        email: 'novo.email@example.com',
        name: 'Cliente Corrigido',
        whatsapp: c.whatsapp,
        cpf: c.cpf,
      },
      changed_fields: ['email', 'name'],
    });
    // Never the old values.
    const raw = receiver.requests.find(
      (r) => r.body.includes('"customer.updated"') && r.body.includes(c.member_id),
    )!;
    expect(raw.body).not.toContain(c.email);
    expect(raw.body).not.toContain(c.name);
  });

  it('normalizes the phone like registration and removes the e-mail and CPF with null or ""', async () => {
    const c = await register();
    const res = await patch(c.member_id, { phone: '+55 (21) 98888-7777', email: null, cpf: '' });
    expect(res.status).toBe(200);
    expect(res.body.changed_fields).toEqual(['whatsapp', 'email', 'cpf']);
    expect(res.body.customer).toMatchObject({ whatsapp: '+5521988887777', email: null, cpf: null });
    const [event] = await waitForEvent('customer.updated', c.member_id, 1);
    expect(event.customer).toMatchObject({ whatsapp: '+5521988887777', email: null, cpf: null });
  });

  it('records nothing when nothing changes (the same values, differently written)', async () => {
    const c = await register();
    const before = (await storedEvents(c.member_id)).length;
    const res = await patch(c.member_id, {
      email: c.email.toUpperCase(),
      phone: c.whatsapp,
      marketing_opt_in: { whatsapp: false },
    });
    expect(res.status).toBe(200);
    expect(res.body.changed_fields).toEqual([]);
    expect(await storedEvents(c.member_id)).toHaveLength(before);
  });

  it('names every bad field in one 422, with registration’s rules, and changes nothing', async () => {
    const c = await register();
    const res = await patch(c.member_id, {
      phone: '123',
      email: 'not-an-email',
      cpf: '111.111.111-11',
      name: '   ',
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'cpf',
      'email',
      'name',
      'phone',
    ]);
    const unknown = await patch(c.member_id, { tier: 'gold' });
    expect(unknown.status).toBe(422);
    expect((await server.api.get(`/api/v2/customers/${c.member_id}/`)).body).toMatchObject({
      email: c.email,
      name: c.name,
    });
  });

  it('answers 409 naming the field when the phone, the CPF or the e-mail is another member’s, and changes nothing', async () => {
    const a = await register();
    const b = await register();
    const before = (await storedEvents(b.member_id)).length;
    for (const [body, field] of [
      [{ phone: a.whatsapp }, 'phone'],
      [{ cpf: a.cpf }, 'cpf'],
      // The conflict on the last field of a request whose other fields are fine.
      [{ name: 'Outro Nome', phone: '(11) 95555-0001', email: a.email.toUpperCase() }, 'email'],
    ] as const) {
      const res = await patch(b.member_id, body);
      expect(res.status, JSON.stringify(body)).toBe(409);
      expect(res.body.errors).toEqual([{ field, code: 'taken', detail: expect.any(String) }]);
    }
    const now = (await server.api.get(`/api/v2/customers/${b.member_id}/`)).body;
    expect(now).toMatchObject({ name: b.name, whatsapp: b.whatsapp, email: b.email });
    expect(await storedEvents(b.member_id)).toHaveLength(before);
    // Its own values are no conflict.
    expect((await patch(b.member_id, { phone: b.whatsapp, cpf: b.cpf, email: b.email })).status).toBe(200);
  });

  it('another company’s member is a 404, and a read-only key is refused', async () => {
    const c = await register();
    const other = await server.newCompany('Outra');
    expect(
      (await other.api.request('PATCH', `/api/v2/customers/${c.member_id}/`, { name: 'X' })).status,
    ).toBe(404);
    const readOnly = await server.readOnlyClient();
    expect((await readOnly.request('PATCH', `/api/v2/customers/${c.member_id}/`, { name: 'X' })).status).toBe(
      403,
    );
    expect((await server.api.get(`/api/v2/customers/${c.member_id}/`)).body.name).toBe(c.name);
  });
});

describe('marketing consent', () => {
  it('is recorded on registration with when and the channel, and is never in customer.registered', async () => {
    const c = await register({ channel: 'pos', marketing_opt_in: { whatsapp: true, email: false } });
    expect(c.marketing_opt_in).toEqual({
      whatsapp: { opted_in: true, changed_at: c.created_at, channel: 'pos' },
      email: { opted_in: false, changed_at: c.created_at, channel: 'pos' },
    });
    const [registered] = await storedEvents(c.member_id);
    expect(registered!.type).toBe('customer.registered');
    expect(registered!.body).not.toContain('marketing');
    expect(Object.keys(JSON.parse(registered!.body).customer)).toEqual([
      'member_id',
      'whatsapp',
      'email',
      'name',
      'cpf',
      'tier',
      'created_at',
    ]);
  });

  it('defaults to not given, and a PATCH gives or withdraws it per medium: customer.updated names it', async () => {
    const c = await register();
    expect(c.marketing_opt_in).toEqual({
      whatsapp: { opted_in: false, changed_at: null, channel: null },
      email: { opted_in: false, changed_at: null, channel: null },
    });
    const given = await patch(c.member_id, { marketing_opt_in: { email: true }, channel: 'panel' });
    expect(given.body.changed_fields).toEqual(['marketing_opt_in']);
    expect(given.body.customer.marketing_opt_in).toMatchObject({
      whatsapp: { opted_in: false, changed_at: null, channel: null },
      email: { opted_in: true, channel: 'panel' },
    });
    const withdrawn = await patch(c.member_id, { marketing_opt_in: { email: false, whatsapp: true } });
    expect(withdrawn.body.customer.marketing_opt_in).toMatchObject({
      whatsapp: { opted_in: true, channel: 'api' },
      email: { opted_in: false, channel: 'api' },
    });
    const events = await waitForEvent('customer.updated', c.member_id, 2);
    expect(events.map((e) => e.customer.marketing_opt_in)).toEqual([
      { whatsapp: false, email: true },
      { whatsapp: true, email: false },
    ]);
    const history = await server.runtime.ctx.db
      .selectFrom('consent_changes')
      .select(['medium', 'opted_in', 'channel'])
      .where('member_id', '=', c.member_id)
      .orderBy('id')
      .execute();
    expect(history).toEqual([
      { medium: 'email', opted_in: 1, channel: 'panel' },
      { medium: 'whatsapp', opted_in: 1, channel: 'api' },
      { medium: 'email', opted_in: 0, channel: 'api' },
    ]);
  });

  it('refuses a consent that is not true or false, or a medium it does not know', async () => {
    const c = await register();
    expect((await patch(c.member_id, { marketing_opt_in: { email: 'yes' } })).status).toBe(422);
    expect((await patch(c.member_id, { marketing_opt_in: { sms: true } })).status).toBe(422);
  });
});
