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
