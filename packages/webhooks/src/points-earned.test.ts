import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reasonOf } from '../test/reason-of.js';
import { createWebhookHandler } from './handler.js';
import { canonicalEvent, serializeEvent } from './event-schemas.js';
import type { PointsEarnedEvent, ZupyEvent } from './events.js';
import { parseEvent } from './parse-event.js';
import { sampleEvent } from './samples.js';
import { signatureHeaders } from './sign.js';

interface Vector {
  secret: string;
  event_id: string;
  timestamp: number;
  body: string;
}
const { vectors } = JSON.parse(readFileSync(new URL('../test-vectors.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
};
const vector = vectors.find((v) => v.event_id === 'evt_points_earned')!;

describe('points.earned', () => {
  it('serializes to the bytes written independently in the documented key order, from any key order', () => {
    const event = JSON.parse(vector.body) as PointsEarnedEvent;
    expect(serializeEvent(event)).toBe(vector.body);
    const reversed = JSON.parse(vector.body, (_key, value: unknown) =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    ) as ZupyEvent;
    expect(Object.keys(reversed)[0]).not.toBe('event');
    expect(serializeEvent(reversed)).toBe(vector.body);
  });

  it('has the contract’s keys in order, and its sample adds up', () => {
    const event = sampleEvent('points.earned', { companyId: 'comp_x' });
    expect(Object.keys(event)).toEqual([
      'event',
      'timestamp',
      'company_id',
      'customer',
      'transaction',
      'bonuses',
      'next_tier',
    ]);
    expect(Object.keys(event.customer)).toEqual(['member_id', 'whatsapp', 'email', 'name', 'tier']);
    expect(Object.keys(event.transaction)).toEqual([
      'transaction_id',
      'order_id',
      'order_value',
      'platform',
      'points_earned',
      'base_points',
      'bonus_points',
      'new_balance',
      'items_count',
      'payment_method',
    ]);
    expect(Object.keys(event.bonuses[1]!)).toEqual(['type', 'multiplier', 'description', 'bonus_points']);
    expect(Object.keys(event.next_tier!)).toEqual([
      'tier_name',
      'points_needed',
      'progress_percentage',
      'benefits_preview',
    ]);
    const { transaction } = event;
    expect(transaction.base_points + transaction.bonus_points).toBe(transaction.points_earned);
    expect(event.bonuses.reduce((sum, b) => sum + b.bonus_points, 0)).toBe(transaction.bonus_points);
    expect(event.company_id).toBe('comp_x');
  });

  it('drops keys the contract does not have, in the array elements too', () => {
    const event = sampleEvent('points.earned');
    const extra = {
      ...event,
      bonuses: event.bonuses.map((b, i) => (i === 1 ? { ...b, internal_rule_id: 7 } : b)),
      transaction: { ...event.transaction, cashier_pin: '1234' },
    } as ZupyEvent;
    expect(canonicalEvent(extra)).toEqual(event);
    expect(serializeEvent(extra)).not.toContain('cashier_pin');
    expect(serializeEvent(extra)).not.toContain('internal_rule_id');
  });

  it('accepts a manual credit: nulls, no bonuses, no next tier', () => {
    const event = sampleEvent('points.earned');
    const manual = {
      ...event,
      customer: { ...event.customer, email: null, tier: 'vip' },
      transaction: {
        ...event.transaction,
        order_id: null,
        order_value: null,
        platform: 'manual',
        points_earned: 50,
        base_points: 50,
        bonus_points: 0,
        items_count: 0,
        payment_method: null,
      },
      bonuses: [],
      next_tier: null,
    };
    expect(parseEvent(JSON.stringify(manual))).toEqual(manual);
  });

  it.each([
    [(e: any) => (e.bonuses = {}), 'bonuses must be an array, got object'],
    [(e: any) => (e.bonuses[2].type = 'birthday'), 'bonuses[2].type must be one of category_bonus'],
    [(e: any) => (e.bonuses[1].bonus_points = -1), 'bonuses[1].bonus_points must be at least 0'],
    [(e: any) => delete e.bonuses[1].description, 'bonuses[1].description is missing'],
    [(e: any) => (e.transaction.platform = 'rappi'), 'transaction.platform must be one of pos, manual'],
    [(e: any) => (e.transaction.points_earned = 0), 'transaction.points_earned must be at least 1'],
    [
      (e: any) => (e.transaction.transaction_id = 'tx-1'),
      'transaction.transaction_id must be a transaction id',
    ],
    [
      (e: any) => (e.next_tier.benefits_preview = ['ok', 3]),
      'next_tier.benefits_preview[1] must be a string',
    ],
    [(e: any) => delete e.next_tier, 'next_tier is missing'],
  ])('names the field at fault (%#)', (change, message) => {
    const event = structuredClone(sampleEvent('points.earned'));
    change(event);
    expect(reasonOf(() => parseEvent(JSON.stringify(event)))).toContain(message);
  });

  it('is dispatched to its handler', async () => {
    const seen: PointsEarnedEvent[] = [];
    const handler = createWebhookHandler({
      secret: vector.secret,
      toleranceSeconds: 10 ** 10,
      on: { 'points.earned': (event) => void seen.push(event) },
    });
    const headers = signatureHeaders({
      secrets: [vector.secret],
      eventId: vector.event_id,
      timestamp: vector.timestamp,
      body: vector.body,
    });
    const res = await handler({ rawBody: vector.body, headers });
    expect(res.status).toBe(200);
    expect(seen.map((e) => e.transaction.points_earned)).toEqual([2469]);
  });
});
