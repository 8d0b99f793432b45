import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/** What registration does with the optional fields, and the wording of its 422. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ worker: false });
});
afterAll(() => server.close());

let n = 0;
/** A valid phone not used before in this file. */
const freshPhone = () => `(11) 96595-${String(8100 + n++).padStart(4, '0')}`;

describe('registering with optional fields', () => {
  it.each([
    ['null', null],
    ['empty', ''],
    ['blank', '   '],
  ])('an e-mail and a CPF that are %s are left out, not refused', async (_, value) => {
    const res = await server.api.post('/api/v2/customers/', {
      phone: freshPhone(),
      name: 'Ana Souza',
      email: value,
      cpf: value,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.customer).toMatchObject({ email: null, cpf: null });
  });

  it('the channel is api unless given, and marketing_opt_in is recorded only when given', async () => {
    const plain = await server.api.post('/api/v2/customers/', { phone: freshPhone(), name: 'Bia Lima' });
    expect(plain.body.customer.channel).toBe('api');
    expect(plain.body.customer.marketing_opt_in.whatsapp).toEqual({
      opted_in: false,
      changed_at: null,
      channel: null,
    });
    const asked = await server.api.post('/api/v2/customers/', {
      phone: freshPhone(),
      name: 'Caio Prado',
      channel: 'pos',
      marketing_opt_in: { whatsapp: true },
    });
    expect(asked.body.customer.channel).toBe('pos');
    expect(asked.body.customer.marketing_opt_in.whatsapp).toMatchObject({ opted_in: true, channel: 'pos' });
    expect(asked.body.customer.marketing_opt_in.whatsapp.changed_at).not.toBeNull();
  });
});

describe('the 422 of a registration', () => {
  it('says what each bad field needs, joined in its detail', async () => {
    const res = await server.api.post('/api/v2/customers/', { name: 'Ana', cpf: '123.456.789-00' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { field: 'phone', code: 'required', detail: 'is required (the WhatsApp number, e.g. (11) 96595-8122)' },
      { field: 'cpf', code: 'cpf_check_digits', detail: 'check digits do not match: look for a typo' },
    ]);
    expect(res.body.detail).toBe(
      'phone is required (the WhatsApp number, e.g. (11) 96595-8122); cpf check digits do not match: look for a typo',
    );
  });
});
