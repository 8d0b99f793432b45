import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOAO, makeClient, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function eventCount(): Promise<number> {
  const row = await server.runtime.ctx.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function fieldsOf(body: { errors?: { field: string }[] }): string[] {
  return (body.errors ?? []).map((e) => e.field).sort();
}

describe('registering customers', () => {
  it('normalizes the phone to E.164 and keeps CPF digits', async () => {
    const res = await server.api.post('/api/v2/customers/', {
      whatsapp: '21 98765-4321',
      name: '  Maria   Souza ',
      cpf: '11144477735',
      channel: 'pos',
    });
    expect(res.status).toBe(201);
    expect(res.body.customer).toMatchObject({
      whatsapp: '+5521987654321',
      name: 'Maria Souza',
      cpf: '11144477735',
      email: null,
      channel: 'pos',
      tier: 'bronze',
      points_balance: 100,
    });
  });

  it('finds an enrolled customer by phone, then CPF, then e-mail: 200, created:false and no event', async () => {
    const first = await server.api.post('/api/v2/customers/', JOAO);
    expect(first.status).toBe(201);
    const memberId = first.body.customer.member_id;
    const before = await eventCount();

    const byPhone = await server.api.post('/api/v2/customers/', {
      phone: '+55 11 96595 8122',
      name: 'Other',
    });
    expect(byPhone.status).toBe(200);
    expect(byPhone.body).toMatchObject({
      created: false,
      matched_on: 'phone',
      customer: { member_id: memberId },
    });

    const byCpf = await server.api.post('/api/v2/customers/', {
      phone: '11 91234-5678',
      name: 'X',
      cpf: '52998224725',
    });
    expect(byCpf.body).toMatchObject({
      created: false,
      matched_on: 'cpf',
      customer: { member_id: memberId },
    });

    const byEmail = await server.api.post('/api/v2/customers/', {
      phone: '11 91234-5679',
      name: 'X',
      email: 'JOAO@Example.com',
    });
    expect(byEmail.body).toMatchObject({
      created: false,
      matched_on: 'email',
      customer: { member_id: memberId },
    });
    expect(await eventCount()).toBe(before);
  });

  it('when one request matches two members on different keys, phone beats CPF and CPF beats e-mail', async () => {
    const register = (body: object) => server.api.post('/api/v2/customers/', body);
    const a = await register({ phone: '11 98800-0001', name: 'Ana', email: 'ana@precedence.example' });
    const b = await register({ phone: '11 98800-0002', name: 'Bia', cpf: '123.456.789-09' });
    const c = await register({ phone: '11 98800-0003', name: 'Cau', email: 'cau@precedence.example' });
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    const [memberA, memberB] = [a.body.customer.member_id, b.body.customer.member_id];
    const before = await eventCount();

    // The phone is A's, the CPF is B's: A.
    const phoneOverCpf = await register({ phone: '11 98800-0001', name: 'X', cpf: '12345678909' });
    expect(phoneOverCpf.status).toBe(200);
    expect(phoneOverCpf.body).toMatchObject({ matched_on: 'phone', customer: { member_id: memberA } });
    // The phone is A's, the e-mail is C's: A.
    const phoneOverEmail = await register({
      phone: '11 98800-0001',
      name: 'X',
      email: 'cau@precedence.example',
    });
    expect(phoneOverEmail.body).toMatchObject({ matched_on: 'phone', customer: { member_id: memberA } });
    // A new phone, the CPF is B's, the e-mail is A's: B.
    const cpfOverEmail = await register({
      phone: '11 98800-0009',
      name: 'X',
      cpf: '123.456.789-09',
      email: 'ana@precedence.example',
    });
    expect(cpfOverEmail.status).toBe(200);
    expect(cpfOverEmail.body).toMatchObject({ matched_on: 'cpf', customer: { member_id: memberB } });

    // Nobody was changed by the requests that matched them, and nothing new was recorded.
    expect((await server.api.get(`/api/v2/customers/${memberA}/`)).body).toMatchObject({
      name: 'Ana',
      cpf: null,
      email: 'ana@precedence.example',
    });
    expect((await server.api.get(`/api/v2/customers/${memberB}/`)).body).toMatchObject({
      name: 'Bia',
      email: null,
    });
    expect((await server.api.get('/api/v2/customers/?search=98800-0009')).body.data).toEqual([]);
    expect(await eventCount()).toBe(before);
  });

  it('names every bad field in one 422 problem', async () => {
    const res = await server.api.post('/api/v2/customers/', {
      phone: '123',
      name: 'Ana',
      email: 'not-an-email',
      cpf: '123.456.789-00',
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      status: 422,
      type: expect.stringContaining('validation-failed'),
      instance: '/api/v2/customers/',
    });
    expect(fieldsOf(res.body)).toEqual(['cpf', 'email', 'phone']);
  });

  it.each([
    [{ name: 'Ana' }, ['phone']],
    [{ phone: '11965958100' }, ['name']],
    [{ phone: '11965958100', name: '   ' }, ['name']],
    [{ phone: 11965958100, name: 'Ana' }, ['phone']],
    [{ phone: '11965958100', name: 'Ana', channel: 'fax' }, ['channel']],
    [{ phone: '11965958100', name: 'Ana', nickname: 'A' }, ['nickname']],
    [{ phone: '11965958100', name: 'Ana', cpf: '111.111.111-11' }, ['cpf']],
    [{ whatsapp: 'abc', name: 'Ana' }, ['whatsapp']],
  ])('rejects %j naming %j', async (body, fields) => {
    const res = await server.api.post('/api/v2/customers/', body);
    expect(res.status).toBe(422);
    expect(fieldsOf(res.body)).toEqual(fields);
  });

  it('answers a malformed JSON body with 400, a non-JSON type with 415 and a body over 1 MB with 413', async () => {
    const malformed = await server.api.post('/api/v2/customers/', '{"phone": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toContain('malformed-request');

    const form = await server.api.request('POST', '/api/v2/customers/', 'phone=1', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(form.body.status).toBe(415);

    const huge = await server.api.post('/api/v2/customers/', { name: 'x'.repeat(1_100_000), phone: '1' });
    expect(huge.status).toBe(413);
    expect(huge.body.status).toBe(413);
  });

  it('treats a missing body as a validation error, not a crash', async () => {
    const res = await server.api.request('POST', '/api/v2/customers/');
    expect([400, 422]).toContain(res.status);
    expect(res.body.status).toBe(res.status);
  });
});

describe('reading customers', () => {
  it('returns the full profile and pages through the list with a cursor', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await server.api.post('/api/v2/customers/', {
        phone: `11 97000-000${i}`,
        name: `Pager ${i}`,
      });
      created.push(res.body.customer.member_id);
    }
    const profile = await server.api.get(`/api/v2/customers/${created[0]}/`);
    expect(Object.keys(profile.body)).toEqual([
      'member_id',
      'name',
      'whatsapp',
      'email',
      'cpf',
      'tier',
      'points_balance',
      'points_earned',
      'points_spent',
      'total_spent',
      'transaction_count',
      'channel',
      'created_at',
      'updated_at',
      'marketing_opt_in',
    ]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await server.api.get(
        `/api/v2/customers/?search=Pager&page_size=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.meta.count).toBe(page.body.data.length);
      seen.push(...page.body.data.map((c: { member_id: string }) => c.member_id));
      cursor = page.body.meta.has_next ? page.body.meta.cursor : null;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
  });

  it('filters by tier and searches by phone digits', async () => {
    const res = await server.api.get('/api/v2/customers/?search=97000-0003');
    expect(res.body.data.map((c: { name: string }) => c.name)).toEqual(['Pager 3']);
    const none = await server.api.get('/api/v2/customers/?tier=vip');
    expect(none.body.data).toEqual([]);
    const bad = await server.api.get('/api/v2/customers/?tier=diamond&page_size=0');
    expect(bad.status).toBe(422);
    expect(fieldsOf(bad.body)).toEqual(['page_size', 'tier']);
    const badCursor = await server.api.get('/api/v2/customers/?cursor=nonsense');
    expect(badCursor.status).toBe(422);
    expect(fieldsOf(badCursor.body)).toEqual(['cursor']);
  });

  it('counts every match on all pages into meta.total when asked, not otherwise', async () => {
    const other = await server.newCompany('Total Place');
    for (let i = 0; i < 5; i++) {
      const res = await other.api.post('/api/v2/customers/', {
        phone: `11 97222-000${i}`,
        name: i === 3 ? 'Contagem Especial' : `Contagem ${i}`,
      });
      expect(res.status).toBe(201);
    }
    // Erased customers are no longer customers: not counted.
    const gone = (await other.api.post('/api/v2/customers/', { phone: '11 97222-0009', name: 'Contagem X' }))
      .body.customer.member_id;
    expect((await other.api.request('DELETE', `/api/v2/customers/${gone}/`)).status).toBe(200);
    const first = await other.api.get('/api/v2/customers/?page_size=2&include_total=true');
    expect(first.body.meta).toMatchObject({ count: 2, has_next: true, total: 5 });
    // The same total on a later page: the cursor does not change what matches.
    const second = await other.api.get(
      `/api/v2/customers/?page_size=2&include_total=true&cursor=${first.body.meta.cursor}`,
    );
    expect(second.body.meta).toMatchObject({ count: 2, total: 5 });
    // With the filters: a search, a tier, and none matching.
    expect(
      (await other.api.get('/api/v2/customers/?search=especial&include_total=true')).body.meta.total,
    ).toBe(1);
    expect((await other.api.get('/api/v2/customers/?tier=bronze&include_total=true')).body.meta.total).toBe(
      5,
    );
    expect((await other.api.get('/api/v2/customers/?tier=vip&include_total=true')).body.meta).toMatchObject({
      count: 0,
      total: 0,
    });
    // Not asked (or asked not to): no count, no total.
    expect((await other.api.get('/api/v2/customers/')).body.meta).not.toHaveProperty('total');
    expect((await other.api.get('/api/v2/customers/?include_total=false')).body.meta).not.toHaveProperty(
      'total',
    );
    const bad = await other.api.get('/api/v2/customers/?include_total=maybe');
    expect(bad.status).toBe(422);
    expect(fieldsOf(bad.body)).toEqual(['include_total']);
  });

  it('answers 404 for an unknown member and for another company’s member', async () => {
    const mine = await server.api.post('/api/v2/customers/', { phone: '11 97111-1111', name: 'Mine' });
    const memberId = mine.body.customer.member_id;
    const other = await server.newCompany('Other Place');
    expect((await other.api.get(`/api/v2/customers/${memberId}/`)).status).toBe(404);
    expect((await other.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: 5 })).status).toBe(
      404,
    );
    expect((await other.api.get('/api/v2/customers/')).body.data).toEqual([]);
    expect((await server.api.get('/api/v2/customers/ZP-00000000/')).status).toBe(404);
    const malformedId = await server.api.get('/api/v2/customers/12345/');
    expect(malformedId.status).toBe(422);
  });
});

describe('authentication', () => {
  it('requires a valid key (401) and refuses writes with a read-only key (403)', async () => {
    const anonymous = makeClient(server.url, undefined);
    const none = await anonymous.get('/api/v2/customers/');
    expect(none.status).toBe(401);
    expect(none.body.type).toContain('unauthenticated');
    const wrong = makeClient(server.url, 'zupy_pk_' + 'a'.repeat(32));
    expect((await wrong.get('/api/v2/customers/')).status).toBe(401);

    const readOnly = await server.readOnlyClient();
    expect((await readOnly.get('/api/v2/customers/')).status).toBe(200);
    const write = await readOnly.post('/api/v2/customers/', { phone: '11 97222-2222', name: 'Nope' });
    expect(write.status).toBe(403);
    expect(write.body.type).toContain('read-only-key');
    const list = await server.api.get('/api/v2/customers/?search=Nope');
    expect(list.body.data).toEqual([]);
  });

  it('sends rate-limit headers on every authenticated answer', async () => {
    const res = await server.api.get('/api/v2/customers/');
    expect(Number(res.headers.get('x-ratelimit-limit'))).toBe(100000);
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeLessThan(100000);
    expect(res.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await server.api.get('/api/v2/nothing-here/');
    expect(res.status).toBe(404);
    expect(res.body.status).toBe(404);
  });
});
