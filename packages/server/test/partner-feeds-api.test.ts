import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatBrl } from '../src/shared/money.js';
import { waitUntil } from './helpers/wait-until.js';
import { cpfCheckDigits, startTestServer, type ApiClient, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer({ worker: true, ctx: { partnerInbox: { pollMs: 50 } } });
});
afterEach(() => server.close());

const cpf = (k: number) => {
  const base = `52998${String(2240 + k).padStart(4, '0')}`;
  return base + cpfCheckDigits(base);
};
const KNOWN = Array.from({ length: 10 }, (_, k) => ({
  phone: `11 98000-000${k}`,
  name: `Cliente ${k}`,
  email: `k${k}@example.com`,
  cpf: cpf(k),
}));

/** The partner's way of writing each identifier: formats differ from how Zupy stores them. */
function identify(k: number, mode: number) {
  const c = KNOWN[k]!;
  if (mode === 0) return { Celular: `(11) 98000-000${k}` };
  if (mode === 1) return { Email: c.email.toUpperCase() };
  return { CpfCnpj: `${c.cpf.slice(0, 3)}.${c.cpf.slice(3, 6)}.${c.cpf.slice(6, 9)}-${c.cpf.slice(9)}` };
}

interface Sale {
  cliente: string | null;
  Celular?: string;
  Email?: string;
  CpfCnpj?: string;
  Valor: string;
  id_venda: string;
  DataVenda: string;
  loja_cnpj: string;
  loja_nome: string;
}

/**
 * 100 sales: 94 of the 10 known customers (matched by phone, e-mail or CPF, in turn), 2 of unknown
 * customers, 1 without any identifier, and 3 sent twice. `owner` says whose each credit should be.
 */
function repediuBatch(): { sales: Sale[]; owner: (number | string | null)[] } {
  const sales: Sale[] = [];
  const owner: (number | string | null)[] = [];
  const store = {
    DataVenda: '2025-08-29 12:00:00',
    loja_cnpj: '12.345.678/0001-95',
    loja_nome: 'Bella Vista Centro',
  };
  for (let i = 0; i < 94; i++) {
    const k = i % 10;
    const cents = 1000 + i * 1357;
    sales.push({
      cliente: `Cliente ${k}`,
      ...identify(k, i % 3),
      Valor: formatBrl(cents),
      id_venda: `V${i}`,
      ...store,
    });
    owner.push(k);
  }
  // Precedence, on elements other than the first: phone before e-mail, e-mail before CPF.
  Object.assign(sales[4]!, { Celular: '11980000004', Email: KNOWN[7]!.email });
  Object.assign(sales[7]!, { Celular: undefined, Email: KNOWN[7]!.email, CpfCnpj: KNOWN[2]!.cpf });
  // A CNPJ in CpfCnpj identifies nobody; the phone still does.
  Object.assign(sales[9]!, { Celular: '11 98000-0009', CpfCnpj: '12.345.678/0001-95' });
  sales.splice(30, 0, {
    cliente: 'Novo Um',
    Celular: '(21) 99999-0001',
    Email: 'novo.um@example.com',
    Valor: '1.234,56',
    id_venda: 'N1',
    ...store,
  });
  owner.splice(30, 0, 'N1');
  sales.splice(60, 0, { cliente: null, Celular: '21 99999-0002', Valor: '50,00', id_venda: 'N2', ...store });
  owner.splice(60, 0, 'N2');
  sales.splice(70, 0, { cliente: 'Sem Contato', Valor: '10,00', id_venda: 'X1', ...store });
  owner.splice(70, 0, null);
  for (const id of ['V5', 'V17', 'V50']) {
    const at = sales.findIndex((sale) => sale.id_venda === id) + 20;
    sales.splice(at, 0, { ...sales.find((sale) => sale.id_venda === id)! });
    owner.splice(at, 0, 'dup');
  }
  return { sales, owner };
}

async function processed(api: ApiClient, id: string) {
  return waitUntil(async () => {
    const entry = (await api.get('/api/v2/webhooks/integrations/inbox/')).body.data.find(
      (e: any) => e.id === id,
    );
    return entry?.status === 'processed' ? entry : undefined;
  });
}

async function eventCounts(): Promise<Record<string, number>> {
  const rows = await server.runtime.ctx.db.selectFrom('events').select('type').execute();
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

describe('partner order feeds', () => {
  it('a Repediu batch of 100: 3 duplicates, 2 enrolments, 1 skip, every other order credited once to its customer', async () => {
    const members: string[] = [];
    for (const c of KNOWN)
      members.push((await server.api.post('/api/v2/customers/', c)).body.customer.member_id);
    const { sales, owner } = repediuBatch();
    expect(sales).toHaveLength(100);
    const body = JSON.stringify(sales);

    const res = await server.api.post('/api/v2/webhooks/integrations/repediu/', body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'received', id: expect.stringMatching(/^inb_/) });
    const entry = await processed(server.api, res.body.id);
    expect(entry).toMatchObject({
      partner: 'repediu',
      attempts: 1,
      last_error: null,
      summary: { orders: 100, credited: 96, duplicate: 3, skipped: 1, enrolled: 2 },
    });
    const outcomes = entry.orders as any[];
    expect(outcomes.map((o) => o.index)).toEqual([...Array(100).keys()]);
    expect(outcomes.filter((o) => o.outcome === 'duplicate').map((o) => o.order_id)).toEqual([
      'V5',
      'V17',
      'V50',
    ]);
    expect(outcomes.filter((o) => o.outcome === 'skipped')).toEqual([
      {
        index: owner.indexOf(null),
        order_id: 'X1',
        outcome: 'skipped',
        member_id: null,
        enrolled: false,
        points_earned: null,
        reason: 'no customer identifier (phone, e-mail or CPF)',
        reason_code: 'no_customer_identifier',
        reason_params: null,
      },
    ]);

    // Whose each credit is, and how much.
    const expected = new Map<string, { points: number; cents: number; count: number }>();
    outcomes.forEach((o, i) => {
      const who = owner[i];
      if (typeof who !== 'number') return;
      expect(o, `sale ${i}`).toMatchObject({ outcome: 'credited', member_id: members[who], enrolled: false });
    });
    const of = (id: string) => outcomes[sales.findIndex((sale) => sale.id_venda === id)];
    expect(of('V4').member_id).toBe(members[4]); // phone of 4 beats e-mail of 7
    expect(of('V7').member_id).toBe(members[7]); // e-mail of 7 beats CPF of 2
    expect(of('V9').member_id).toBe(members[9]); // a CNPJ beside the phone
    for (const [i, o] of outcomes.entries()) {
      if (o.outcome !== 'credited') continue;
      const cents = Math.round(Number(sales[i]!.Valor.replace(/\./g, '').replace(',', '.')) * 100);
      const current = expected.get(o.member_id) ?? { points: 0, cents: 0, count: 0 };
      expected.set(o.member_id, {
        points: current.points + Math.floor(cents / 100),
        cents: current.cents + cents,
        count: current.count + 1,
      });
      expect(o.points_earned).toBe(Math.floor(cents / 100));
    }
    for (const [member, e] of expected) {
      const profile = (await server.api.get(`/api/v2/customers/${member}/`)).body;
      expect(profile, member).toMatchObject({
        points_earned: 100 + e.points,
        total_spent: e.cents / 100,
        transaction_count: e.count,
      });
    }
    // The two unknown customers were enrolled through the POS channel, with the feed's details.
    const novo = outcomes[owner.indexOf('N1')];
    expect(novo).toMatchObject({ order_id: 'N1', outcome: 'credited', enrolled: true, points_earned: 1234 });
    expect((await server.api.get(`/api/v2/customers/${novo.member_id}/`)).body).toMatchObject({
      name: 'Novo Um',
      whatsapp: '+5521999990001',
      email: 'novo.um@example.com',
      channel: 'pos',
      points_balance: 1334,
    });
    expect(outcomes[owner.indexOf('N2')]).toMatchObject({ outcome: 'credited', enrolled: true });
    expect(
      (await server.api.get(`/api/v2/customers/${outcomes[owner.indexOf('N2')].member_id}/`)).body,
    ).toMatchObject({
      name: 'Cliente',
      channel: 'pos',
      points_balance: 150,
    });
    const counts = await eventCounts();
    expect(counts['customer.registered']).toBe(12);
    expect(counts['points.earned']).toBe(96);

    // The same bytes again: a duplicate of the first, nothing stored or credited.
    const again = await server.api.post('/api/v2/webhooks/integrations/repediu/', body);
    expect(again).toMatchObject({ status: 200, body: { status: 'duplicate', id: res.body.id } });
    // The same orders in other bytes: a new body, whose every order is a duplicate.
    const reformatted = await server.api.post(
      '/api/v2/webhooks/integrations/repediu/',
      JSON.stringify(sales, null, 1),
    );
    expect(reformatted.status).toBe(202);
    expect((await processed(server.api, reformatted.body.id)).summary).toEqual({
      orders: 100,
      credited: 0,
      duplicate: 99,
      skipped: 1,
      enrolled: 0,
    });
    expect(await eventCounts()).toEqual(counts);
    const inbox = (await server.api.get('/api/v2/webhooks/integrations/inbox/')).body;
    expect(inbox.data.map((e: any) => e.id)).toEqual([reformatted.body.id, res.body.id]);
  });

  it('generic: one order object, a number total, local time in the company’s zone for the happy hour', async () => {
    const program = (await server.api.get('/api/v2/loyalty/program/')).body;
    await server.api.put('/api/v2/loyalty/program/', {
      ...program,
      earning: {
        points_per_currency: 1,
        rounding: 'floor',
        bonuses: [{ type: 'happy_hour', weekdays: ['fri'], start: '17:00', end: '19:00', multiplier: 2 }],
      },
    });
    const order = (id: string, date: string) => ({
      customer_name: 'Maria',
      customer_phone: '+55 11 97777-1234',
      customer_email: null,
      customer_cpf: '',
      order_total: 45.5,
      order_id: id,
      order_date: date,
      store_cnpj: '12345678000195',
      store_name: 'Bella Vista',
    });
    const happy = await server.api.post(
      '/api/v2/webhooks/integrations/generic/',
      order('G1', '2025-08-29 18:10'),
    );
    const plain = await server.api.post('/api/v2/webhooks/integrations/generic/', {
      orders: [order('G2', '2025-08-29T18:10:00Z')],
    });
    const first = (await processed(server.api, happy.body.id)).orders[0];
    // 45.5 × 2 = 91: the happy hour multiplies the exact amount, not the rounded 45.
    expect(first).toMatchObject({ order_id: 'G1', outcome: 'credited', enrolled: true, points_earned: 91 });
    // 18:10 UTC is 15:10 in São Paulo: no happy hour.
    expect((await processed(server.api, plain.body.id)).orders[0]).toMatchObject({
      order_id: 'G2',
      member_id: first.member_id,
      enrolled: false,
      points_earned: 45,
    });
  });

  it('refuses an unknown partner (404 naming it), a body that is not JSON (400), a read-only key (403); B sees none of A’s inbox', async () => {
    const unknown = await server.api.post('/api/v2/webhooks/integrations/ifood/', []);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors).toEqual([
      {
        field: 'partner',
        code: 'one_of',
        detail: 'must be one of generic, repediu',
        params: { values: 'generic, repediu' },
      },
    ]);
    const broken = await server.api.post('/api/v2/webhooks/integrations/generic/', '[{"order_id": ');
    expect(broken.status).toBe(400);
    const readOnly = await server.readOnlyClient();
    expect((await readOnly.post('/api/v2/webhooks/integrations/generic/', [])).status).toBe(403);
    expect((await readOnly.get('/api/v2/webhooks/integrations/inbox/')).status).toBe(200);
    const deep = await server.api.post(
      '/api/v2/webhooks/integrations/generic/',
      '['.repeat(70) + ']'.repeat(70),
    );
    expect(deep.status).toBe(422);

    const mine = await server.api.post('/api/v2/webhooks/integrations/generic/', [{ order_id: 'A' }]);
    expect(mine.status).toBe(202);
    const b = await server.newCompany('Other');
    // The same bytes from another company are that company's own body.
    const theirs = await b.api.post('/api/v2/webhooks/integrations/generic/', [{ order_id: 'A' }]);
    expect(theirs.status).toBe(202);
    expect(theirs.body.id).not.toBe(mine.body.id);
    const seen = (await b.api.get('/api/v2/webhooks/integrations/inbox/')).body.data.map((e: any) => e.id);
    expect(seen).toEqual([theirs.body.id]);
    expect((await processed(server.api, mine.body.id)).orders).toEqual([
      expect.objectContaining({
        order_id: 'A',
        outcome: 'skipped',
        reason: 'no order value, or not an amount in BRL',
        reason_code: 'no_order_value',
      }),
    ]);
  });
});

describe('why an order was skipped, as a stable code', () => {
  it('gives each skip reason its code and params beside the unchanged English reason', async () => {
    const ana = (await server.api.post('/api/v2/customers/', { phone: '11 97000-0001', name: 'Ana' })).body
      .customer.member_id;
    await server.api.post('/api/v2/customers/', { phone: '11 97000-0002', name: 'Bia' });
    // E1 is Ana's order at the counter already; the feed then sends it for Bia.
    const recorded = await server.api.post(`/api/v2/customers/${ana}/orders/`, {
      order_id: 'E1',
      order_value: 10,
      platform: 'pos',
    });
    expect(recorded.status).toBe(201);
    const order = (fields: Record<string, unknown>) => ({
      customer_name: 'Cliente',
      customer_phone: null,
      customer_email: null,
      customer_cpf: null,
      order_total: 20,
      order_id: 'G',
      ...fields,
    });
    const res = await server.api.post('/api/v2/webhooks/integrations/generic/', [
      order({ customer_phone: '11 97000-0001', order_id: 'OK1' }),
      order({ customer_phone: '11 97000-0001', order_id: null }),
      order({ customer_phone: '11 97000-0001', order_id: 'V0', order_total: 0 }),
      order({ order_id: 'N0' }),
      order({ customer_email: 'nova@example.com', order_id: 'U1' }),
      order({ customer_phone: '11 97000-0002', order_id: 'E1' }),
    ]);
    expect(res.status).toBe(202);
    const orders = (await processed(server.api, res.body.id)).orders as any[];
    expect(orders.map((o) => [o.order_id, o.outcome, o.reason_code, o.reason_params, o.reason])).toEqual([
      ['OK1', 'credited', null, null, null],
      [null, 'skipped', 'no_order_id', null, 'no order id'],
      ['V0', 'skipped', 'no_order_value', null, 'no order value, or not an amount in BRL'],
      ['N0', 'skipped', 'no_customer_identifier', null, 'no customer identifier (phone, e-mail or CPF)'],
      [
        'U1',
        'skipped',
        'unknown_customer_no_phone',
        null,
        'unknown customer, and no phone to enroll them with',
      ],
      [
        'E1',
        'skipped',
        'order_credited_elsewhere',
        null,
        'this order id was already credited to another customer',
      ],
    ]);
  });

  it('answers a body of a partner no longer read as unknown_partner, and a reason stored before codes as other', async () => {
    const db = server.runtime.ctx.db;
    const row = (id: string, partner: string, outcomes: string | null) => ({
      id,
      company_id: 'comp_bella_vista',
      partner,
      body: '[]',
      body_sha256: id,
      received_at: new Date().toISOString(),
      lease_expires_at: null,
      processed_at: outcomes === null ? null : new Date().toISOString(),
      outcomes,
      last_error: null,
    });
    await db
      .insertInto('partner_inbox')
      .values(row('inb_gone', 'saipos_v0', null))
      .execute();
    // As an earlier version stored a skip: its English reason only.
    const old = [
      {
        index: 0,
        order_id: 'Z',
        outcome: 'skipped',
        member_id: null,
        enrolled: false,
        points_earned: null,
        reason: 'no order id',
      },
    ];
    await db
      .insertInto('partner_inbox')
      .values(row('inb_old', 'generic', JSON.stringify(old)))
      .execute();
    const gone = await processed(server.api, 'inb_gone');
    expect(gone.orders).toEqual([
      expect.objectContaining({
        outcome: 'skipped',
        reason: 'unknown partner "saipos_v0"',
        reason_code: 'unknown_partner',
        reason_params: { partner: 'saipos_v0' },
      }),
    ]);
    const before = (await server.api.get('/api/v2/webhooks/integrations/inbox/')).body.data.find(
      (e: any) => e.id === 'inb_old',
    );
    expect(before.orders).toEqual([{ ...old[0], reason_code: 'other', reason_params: null }]);
  });
});
