import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalEvent, serializeEvent } from './event-schemas.js';
import { CUSTOMER_EVENT_TYPES, isOperationalEventType, type ZupyEvent } from './events.js';
import { createWebhookHandler } from './handler.js';
import { parseEvent } from './parse-event.js';
import { sampleEvent } from './samples.js';
import { signatureHeaders } from './sign.js';

interface Vector {
  secret: string;
  event_id: string;
  body: string;
}
const { vectors } = JSON.parse(readFileSync(new URL('../test-vectors.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
};
const couponVectors = vectors.filter((v) => v.event_id.startsWith('evt_coupon_'));

/** Deep key lists, to compare an object's key order with the contract's. */
function keyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (typeof value !== 'object' || value === null) return null;
  return Object.entries(value).map(([key, child]) =>
    keyOrder(child) === null ? key : [key, keyOrder(child)],
  );
}

const CUSTOMER = ['member_id', 'whatsapp', 'email', 'name', 'tier'];

describe('coupon.redeemed and coupon.used', () => {
  it('are customer events (endpoints subscribed to all events get them), after the seed’s two', () => {
    // Later additions (points.earned) come after them.
    expect(CUSTOMER_EVENT_TYPES.slice(2, 4)).toEqual(['coupon.redeemed', 'coupon.used']);
    expect(isOperationalEventType('coupon.used')).toBe(false);
  });

  it('serialize in the key order of the contract', () => {
    const options = { companyId: 'comp_x', now: new Date('2025-08-26T15:30:00.500Z') };
    expect(keyOrder(JSON.parse(serializeEvent(sampleEvent('coupon.redeemed', options))))).toEqual([
      'event',
      'timestamp',
      'company_id',
      ['customer', CUSTOMER],
      [
        'coupon',
        [
          'coupon_code',
          'reward_id',
          'reward_name',
          'reward_description',
          'points_spent',
          'new_balance',
          'expires_at',
          'terms',
          'redemption_method',
        ],
      ],
      ['discount_details', ['discount_type', 'discount_value', 'maximum_discount', 'minimum_purchase']],
    ]);
    const used = sampleEvent('coupon.used', options);
    expect(used.timestamp).toBe('2025-08-26T15:30:00Z');
    expect(keyOrder(JSON.parse(serializeEvent(used)))).toEqual([
      'event',
      'timestamp',
      'company_id',
      ['customer', CUSTOMER],
      [
        'usage',
        [
          'coupon_code',
          'reward_name',
          'discount_type',
          'discount_applied',
          'order_value',
          'final_value',
          'location',
          'staff_member',
          'platform',
          'order_id',
          ['items_affected', [['name', 'quantity', 'unit_price', 'discount_applied']]],
        ],
      ],
    ]);
  });

  it('give the bytes of the hand-written test vectors, from any key order', () => {
    expect(couponVectors.map((v) => v.event_id)).toEqual(['evt_coupon_redeemed', 'evt_coupon_used']);
    for (const v of couponVectors) {
      const reversed = JSON.parse(v.body, (_key, value: unknown) =>
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? Object.fromEntries(Object.entries(value).reverse())
          : value,
      ) as ZupyEvent;
      expect(serializeEvent(reversed)).toBe(v.body);
      expect(parseEvent(v.body)).toEqual(JSON.parse(v.body));
    }
  });

  it('refuse a bad code, method, platform or item, naming the field (by index in items_affected)', () => {
    const redeemed = sampleEvent('coupon.redeemed');
    expect(() =>
      canonicalEvent({ ...redeemed, coupon: { ...redeemed.coupon, coupon_code: 'CZ-abc' } }),
    ).toThrow('coupon.coupon_code');
    const method = {
      ...redeemed,
      coupon: { ...redeemed.coupon, redemption_method: 'fax' },
    } as unknown as ZupyEvent;
    expect(() => canonicalEvent(method)).toThrow('coupon.redemption_method');
    const used = sampleEvent('coupon.used');
    const platform = { ...used, usage: { ...used.usage, platform: 'rappi' } } as unknown as ZupyEvent;
    expect(() => canonicalEvent(platform)).toThrow('usage.platform');
    const items = [
      ...used.usage.items_affected,
      { name: 'Café', quantity: 0, unit_price: 5, discount_applied: 5 },
    ];
    expect(() => canonicalEvent({ ...used, usage: { ...used.usage, items_affected: items } })).toThrow(
      'usage.items_affected[1].quantity',
    );
    // A welcome coupon keeps its CP- code.
    const welcome = {
      ...redeemed,
      coupon: { ...redeemed.coupon, coupon_code: 'CP-1A2B3C4D', points_spent: 0 },
    };
    expect(canonicalEvent(welcome).coupon.coupon_code).toBe('CP-1A2B3C4D');
  });

  it('reach their handlers', async () => {
    const seen: string[] = [];
    const handler = createWebhookHandler({
      secret: couponVectors[0]!.secret,
      idempotency: false,
      on: {
        'coupon.redeemed': (event) => void seen.push(event.coupon.coupon_code),
        'coupon.used': (event) => void seen.push(String(event.usage.discount_applied)),
      },
    });
    for (const type of ['coupon.redeemed', 'coupon.used'] as const) {
      const body = serializeEvent(sampleEvent(type));
      const headers = signatureHeaders({
        secrets: [couponVectors[0]!.secret],
        eventId: `evt_${type.replace('.', '_')}`,
        timestamp: Math.floor(Date.now() / 1000),
        body,
      });
      expect((await handler({ rawBody: body, headers })).status).toBe(200);
    }
    expect(seen).toEqual(['CZ-7K2M9QXA', '24.9']);
  });
});
