import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpEveryTable } from './helpers/dump-database.js';
import { cpfCheckDigits, startTestServer, type TestServer } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * Erasure reaches the partner inbox (issue 22 × issue 21): a feed's raw body holds the person's
 * name, phone, e-mail and CPF beside other customers' orders. After DELETE no table holds them,
 * the other customer's order in the same body is intact, and the same bytes are still a duplicate.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ worker: true, ctx: { partnerInbox: { pollMs: 50 } } });
});
afterAll(() => server.close());

const postFeed = (to: TestServer, body: string) =>
  fetch(`${to.url}/api/v2/webhooks/integrations/generic/`, {
    method: 'POST',
    headers: { 'x-api-key': to.apiKey, 'content-type': 'application/json' },
    body,
  });

const inboxEntry = (to: TestServer, id: string) =>
  waitUntil(async () => {
    const found = (await to.api.get('/api/v2/webhooks/integrations/inbox/')).body.data.find(
      (e: any) => e.id === id,
    );
    return found?.status === 'processed' ? found : undefined;
  });

const DORA_CPF = `987654321${cpfCheckDigits('987654321')}`;

describe('erasing a customer enrolled by a partner feed', () => {
  it('scrubs her orders out of the stored bodies, keeps the others’ and the duplicate check', async () => {
    const body = JSON.stringify([
      {
        order_id: 'F-1',
        order_total: '120,00',
        customer_phone: '11 96666-1111',
        customer_name: 'Beto Mantido',
      },
      {
        order_id: 'F-2',
        order_total: '45,50',
        customer_phone: '11 97777-0042',
        customer_name: 'Dora Apagada',
        customer_email: 'dora.apagada@example.com',
        customer_cpf: DORA_CPF,
      },
    ]);
    const post = () =>
      fetch(`${server.url}/api/v2/webhooks/integrations/generic/`, {
        method: 'POST',
        headers: { 'x-api-key': server.apiKey, 'content-type': 'application/json' },
        body,
      });
    const received = await post();
    expect(received.status).toBe(202);
    const { id } = (await received.json()) as { id: string };
    const entry = await waitUntil(async () => {
      const found = (await server.api.get('/api/v2/webhooks/integrations/inbox/')).body.data.find(
        (e: any) => e.id === id,
      );
      return found?.status === 'processed' ? found : undefined;
    });
    const dora = entry.orders.find((o: any) => o.order_id === 'F-2').member_id;
    expect(dora).toMatch(/^ZP-/);

    const before = await dumpEveryTable(server.runtime.ctx.db);
    expect(before.text).toContain('Dora Apagada');
    expect((await server.api.request('DELETE', `/api/v2/customers/${dora}/`)).status).toBe(200);

    const after = await dumpEveryTable(server.runtime.ctx.db);
    for (const personal of [
      'Dora Apagada',
      '97777-0042',
      '5511977770042',
      'dora.apagada@example.com',
      DORA_CPF,
    ])
      expect(after.text, personal).not.toContain(personal);
    expect(after.text).toContain('Beto Mantido');
    const stored = await server.runtime.ctx.db
      .selectFrom('partner_inbox')
      .select('body')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stored.body)).toEqual([
      {
        order_id: 'F-1',
        order_total: '120,00',
        customer_phone: '11 96666-1111',
        customer_name: 'Beto Mantido',
      },
      { erased: true },
    ]);
    // The same bytes again are still recognised.
    const again = await post();
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'duplicate', id });
  });
});

describe('erasing a customer named in a feed body not processed yet', () => {
  let idle: TestServer;
  beforeAll(async () => {
    // No worker: what a partner sends waits in the inbox until one is started.
    idle = await startTestServer({ ctx: { partnerInbox: { pollMs: 50 } } });
  });
  afterAll(() => idle.close());

  it('erases only the orders that name her: a single-order body by CPF alone, never another person’s order with an e-mail or a CPF, and leaves a body naming nobody byte for byte', async () => {
    const gilCpf = `123456789${cpfCheckDigits('123456789')}`;
    const gil = await idle.api.post('/api/v2/customers/', {
      phone: '(11) 97777-0044',
      name: 'Gil Apagado',
      email: 'gil.apagado@example.com',
      cpf: gilCpf,
    });
    expect(gil.status).toBe(201);
    const send = async (body: string) => {
      const res = await postFeed(idle, body);
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };
    const stored = async (id: string) =>
      (
        await idle.runtime.ctx.db
          .selectFrom('partner_inbox')
          .select('body')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).body;
    // One order, not a list: the whole body is that order.
    const single = await send(JSON.stringify({ order_id: 'S-1', order_total: 10, customer_cpf: gilCpf }));
    const ivo = {
      order_id: 'M-1',
      order_total: 12,
      customer_phone: '11 96666-3333',
      customer_email: 'ivo.mantido@example.com',
      customer_cpf: `111444777${cpfCheckDigits('111444777')}`,
      customer_name: 'Ivo Mantido',
    };
    const listOfOne = await send(JSON.stringify([{ order_id: 'L-1', order_total: 7, customer_cpf: gilCpf }]));
    const mixed = await send(
      JSON.stringify([ivo, { order_id: 'M-2', order_total: 5, customer_cpf: gilCpf }]),
    );
    const nobodyBody = JSON.stringify([{ ...ivo, order_id: 'N-1' }], null, 2);
    const nobody = await send(nobodyBody);

    expect(
      (await idle.api.request('DELETE', `/api/v2/customers/${gil.body.customer.member_id}/`)).status,
    ).toBe(200);
    expect(JSON.parse(await stored(single))).toEqual({ erased: true });
    expect(JSON.parse(await stored(listOfOne))).toEqual([{ erased: true }]);
    expect(JSON.parse(await stored(mixed))).toEqual([ivo, { erased: true }]);
    expect(await stored(nobody)).toBe(nobodyBody);
  });

  it('a member with no e-mail: another person’s order with none is not hers', async () => {
    const hana = await idle.api.post('/api/v2/customers/', {
      phone: '(11) 97777-0045',
      name: 'Hana Apagada',
    });
    expect(hana.status).toBe(201);
    const joana = {
      order_id: 'J-1',
      order_total: 9,
      customer_phone: '11 96666-4444',
      customer_name: 'Joana Mantida',
    };
    const res = await postFeed(
      idle,
      JSON.stringify([{ order_id: 'H-1', order_total: 3, customer_phone: '11 97777-0045' }, joana]),
    );
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(
      (await idle.api.request('DELETE', `/api/v2/customers/${hana.body.customer.member_id}/`)).status,
    ).toBe(200);
    const row = await idle.runtime.ctx.db
      .selectFrom('partner_inbox')
      .select('body')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.body)).toEqual([{ erased: true }, joana]);
  });

  it('erases her orders from it, so processing it afterwards does not enrol her again', async () => {
    const eva = await idle.api.post('/api/v2/customers/', {
      phone: '(11) 97777-0043',
      name: 'Eva Apagada',
      email: 'eva.apagada@example.com',
      cpf: null,
    });
    expect(eva.status).toBe(201);
    const memberId: string = eva.body.customer.member_id;
    // Her orders name her by the phone (written another way), and by the e-mail alone; the first
    // order is someone else's.
    const received = await postFeed(
      idle,
      JSON.stringify({
        orders: [
          {
            order_id: 'P-1',
            order_total: 80,
            customer_phone: '11 96666-2222',
            customer_name: 'Caio Mantido',
          },
          { order_id: 'P-2', order_total: 30, customer_phone: '+55 11 97777-0043', customer_name: 'Eva A.' },
          {
            order_id: 'P-3',
            order_total: 20,
            customer_email: 'EVA.APAGADA@example.com',
            customer_name: 'Eva',
          },
        ],
      }),
    );
    expect(received.status).toBe(202);
    const { id } = (await received.json()) as { id: string };
    expect((await idle.api.request('DELETE', `/api/v2/customers/${memberId}/`)).status).toBe(200);

    idle.runtime.startWorker(idle.app.log);
    const entry = await inboxEntry(idle, id);
    expect(entry.orders.map((o: any) => o.outcome)).toEqual(['credited', 'skipped', 'skipped']);
    const after = await dumpEveryTable(idle.runtime.ctx.db);
    for (const personal of ['Eva', '97777-0043', '5511977770043', 'eva.apagada'])
      expect(after.text.toLowerCase(), personal).not.toContain(personal.toLowerCase());
    expect(after.text).toContain('Caio Mantido');
    const members = (await idle.api.get('/api/v2/customers/?page_size=50')).body.data;
    // Ivo and Joana, from the previous tests' bodies, processed now too; neither Eva, Gil nor Hana
    // enrolled again.
    expect(members.map((m: any) => m.name).sort()).toEqual(['Caio Mantido', 'Ivo Mantido', 'Joana Mantida']);
  });
});
