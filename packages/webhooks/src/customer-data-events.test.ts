import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CUSTOMER_FIELDS, type ZupyEvent } from './events.js';
import { serializeEvent } from './event-schemas.js';
import { parseEvent } from './parse-event.js';
import { sampleEvent } from './samples.js';
import { createWebhookHandler } from './handler.js';
import { generateSecret } from './generate-secret.js';
import { signatureHeaders } from './sign.js';

/** Deep key lists, to compare an object's key order with the contract's. */
function keyOrder(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return Object.entries(value).map(([key, child]) =>
    keyOrder(child) === null ? key : [key, keyOrder(child)],
  );
}

const NOW = new Date('2025-09-02T08:15:42.750Z');

describe('customer.updated', () => {
  it('has the contract’s keys in order: the new values, consent, and the changed fields', () => {
    const event = sampleEvent('customer.updated', { companyId: 'comp_x', now: NOW });
    expect(keyOrder(JSON.parse(serializeEvent(event)))).toEqual([
      'event',
      'timestamp',
      'company_id',
      [
        'customer',
        [
          'member_id',
          'whatsapp',
          'email',
          'name',
          'cpf',
          'tier',
          ['marketing_opt_in', ['whatsapp', 'email']],
        ],
      ],
      'changed_fields',
    ]);
    expect(event).toMatchObject({ company_id: 'comp_x', timestamp: '2025-09-02T08:15:42Z' });
  });

  it('refuses a changed field that is not a name, naming its index, and a consent that is not a boolean', () => {
    const event = structuredClone(sampleEvent('customer.updated')) as any;
    event.changed_fields = ['email', 'E-mail'];
    expect(() => parseEvent(event)).toThrow('changed_fields[1]');
    const consent = structuredClone(sampleEvent('customer.updated')) as any;
    consent.customer.marketing_opt_in.email = 'yes';
    expect(() => parseEvent(consent)).toThrow('customer.marketing_opt_in.email must be true or false');
  });

  it('accepts a field name a later version may add (older receivers keep working)', () => {
    const event = structuredClone(sampleEvent('customer.updated')) as any;
    event.changed_fields = [...CUSTOMER_FIELDS, 'birthday'];
    expect(parseEvent(event)).toMatchObject({ changed_fields: [...CUSTOMER_FIELDS, 'birthday'] });
  });
});

describe('customer.deleted', () => {
  it('carries the member id and when, nothing personal', () => {
    const event = sampleEvent('customer.deleted', { companyId: 'comp_x', now: NOW });
    expect(keyOrder(event)).toEqual([
      'event',
      'timestamp',
      'company_id',
      ['customer', ['member_id']],
      'deleted_at',
    ]);
    const extra = { ...event, customer: { member_id: 'ZP-8B23CD41', name: 'João' } };
    expect(serializeEvent(extra as ZupyEvent)).not.toContain('João');
  });
});

describe('the test vectors of customer.updated and customer.deleted', () => {
  interface Vector {
    event_id: string;
    body: string;
  }
  const { vectors } = JSON.parse(readFileSync(new URL('../test-vectors.json', import.meta.url), 'utf8')) as {
    vectors: Vector[];
  };
  const ours = vectors.filter((v) => v.event_id.startsWith('evt_cust_'));

  it('are the bytes serializeEvent gives, from any key order', () => {
    expect(ours.map((v) => v.event_id)).toEqual(['evt_cust_updated', 'evt_cust_deleted']);
    for (const v of ours) {
      const reversed = JSON.parse(v.body, (_key, value: unknown) =>
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? Object.fromEntries(Object.entries(value).reverse())
          : value,
      ) as ZupyEvent;
      expect(serializeEvent(parseEvent(reversed))).toBe(v.body);
    }
  });
});

describe('the handler', () => {
  it('dispatches customer.updated and customer.deleted to their own handlers', async () => {
    const secret = generateSecret();
    const seen: string[] = [];
    const handler = createWebhookHandler({
      secret,
      on: {
        'customer.updated': (event) => seen.push(`updated ${event.changed_fields.join(',')}`),
        'customer.deleted': (event) => seen.push(`deleted ${event.customer.member_id}`),
      },
    });
    for (const [i, type] of (['customer.updated', 'customer.deleted'] as const).entries()) {
      const body = serializeEvent(sampleEvent(type));
      const headers = signatureHeaders({
        secrets: [secret],
        eventId: `evt_${i}`,
        timestamp: Math.floor(Date.now() / 1000),
        body,
      });
      expect((await handler({ rawBody: body, headers })).status).toBe(200);
    }
    expect(seen).toEqual(['updated email,marketing_opt_in', 'deleted ZP-8B23CD41']);
  });
});
