import { describe, expect, it } from 'vitest';
import * as sdk from './index.js';
import { reasonOf } from '../test/reason-of.js';
import { canonicalEvent, formatTimestamp, serializeEvent } from './event-schemas.js';
import { parseEvent } from './parse-event.js';
import { sampleEvent } from './samples.js';

describe('the public API', () => {
  it('exports what the README documents', () => {
    expect(Object.keys(sdk).sort()).toEqual(
      [
        'BODY_PARSED_MESSAGE',
        'BONUS_TYPES',
        'COUPON_PLATFORMS',
        'CUSTOMER_EVENT_TYPES',
        'CUSTOMER_FIELDS',
        'DEFAULT_TOLERANCE_SECONDS',
        'DISABLE_REASON_CODES',
        'DISCOUNT_TYPES',
        'EARNING_PLATFORMS',
        'EVENT_SCHEMAS',
        'EVENT_TYPES',
        'OPERATIONAL_EVENT_TYPES',
        'QUALIFICATION_METRICS',
        'REDEMPTION_METHODS',
        'SECRET_PREFIX',
        'SchemaError',
        'TIER_NAMES',
        'WebhookVerificationError',
        'canonicalEvent',
        'createMemoryIdempotencyStore',
        'createWebhookHandler',
        'eventJsonSchema',
        'formatTimestamp',
        'generateSecret',
        'isEventType',
        'isOperationalEvent',
        'isOperationalEventType',
        'parseEvent',
        'parseJson',
        'readHeader',
        'sampleEvent',
        'serializeEvent',
        'signStandardWebhook',
        'signZupySignature',
        'signatureHeaders',
        'standardWebhooksKey',
        'timingSafeEqual',
        'verifySignature',
      ].sort(),
    );
  });
});

describe('events', () => {
  it('serializes with the documented key order whatever order the object was built in', () => {
    const event = sampleEvent('tier.upgraded', {
      companyId: 'comp_x',
      now: new Date('2025-08-26T15:30:00.123Z'),
    });
    const shuffled = JSON.parse(JSON.stringify(event, Object.keys(event).reverse())) as typeof event;
    const reversed = {
      tier_change: event.tier_change,
      customer: event.customer,
      company_id: 'comp_x',
      timestamp: event.timestamp,
      event: event.event,
    };
    expect(serializeEvent(reversed)).toBe(serializeEvent(event));
    expect(
      serializeEvent(event).startsWith(
        '{"event":"tier.upgraded","timestamp":"2025-08-26T15:30:00Z","company_id":"comp_x"',
      ),
    ).toBe(true);
    expect(shuffled.event).toBe('tier.upgraded');
  });

  it('drops keys the contract does not have', () => {
    const event = { ...sampleEvent('customer.registered'), extra: 1 } as sdk.ZupyEvent;
    expect(Object.keys(canonicalEvent(event))).toEqual([
      'event',
      'timestamp',
      'company_id',
      'customer',
      'welcome_reward',
    ]);
  });

  it('formats timestamps with second precision and a Z', () => {
    expect(formatTimestamp(new Date('2025-08-26T15:30:00.999Z'))).toBe('2025-08-26T15:30:00Z');
  });

  it('keeps every welcome reward shape', () => {
    const base = sampleEvent('customer.registered');
    for (const reward of [
      { enabled: false, type: 'none' },
      { enabled: true, type: 'coupon', coupon_code: 'CP-1A2B3C4D' },
      { enabled: true, type: 'points', points_awarded: 100 },
    ] as const) {
      expect(parseEvent(JSON.stringify({ ...base, welcome_reward: reward })).event).toBe(
        'customer.registered',
      );
    }
  });
});

describe('parseEvent', () => {
  it('returns a typed event from text, bytes or an object', () => {
    const body = serializeEvent(sampleEvent('customer.registered'));
    expect(parseEvent(body)).toEqual(JSON.parse(body));
    expect(parseEvent(Buffer.from(body))).toEqual(JSON.parse(body));
    expect(parseEvent(JSON.parse(body) as object)).toEqual(JSON.parse(body));
  });

  it.each([
    ['not json', 'invalid_payload: the body is not valid JSON'],
    ['null', 'unknown event type undefined'],
    ['{"event":"customer.merged"}', 'unknown event type "customer.merged"'],
  ])('refuses %s', (body, message) => {
    expect(reasonOf(() => parseEvent(body))).toContain(message);
  });

  it.each([
    [{ customer: 'x' }, 'customer must be an object, got string'],
    [{ customer: null }, 'customer must be an object, got null'],
    [{ customer: [] }, 'customer must be an object, got an array'],
    [{ timestamp: '2025-08-26 15:30' }, 'timestamp must be an ISO 8601 UTC timestamp'],
    [{ company_id: 7 }, 'company_id must be a string, got number'],
    [{ welcome_reward: { type: 'cashback' } }, 'welcome_reward.type must be one of none, points, coupon'],
    [{ welcome_reward: 'points' }, 'welcome_reward.type must be one of'],
    [{ welcome_reward: { enabled: 'yes', type: 'none' } }, 'welcome_reward.enabled must be false'],
    [
      { welcome_reward: { enabled: true, type: 'points', points_awarded: Infinity } },
      'points_awarded must be a number',
    ],
    [{ welcome_reward: { enabled: true, type: 'points' } }, 'welcome_reward.points_awarded is missing'],
    [{ event: 'customer.registered', customer: { tier: 'diamond' } }, 'customer.member_id is missing'],
  ])('names the field at fault: %j', (change, message) => {
    const body = JSON.stringify({ ...sampleEvent('customer.registered'), ...change });
    expect(reasonOf(() => parseEvent(body))).toContain(message);
  });

  it('checks tier.upgraded too, next_tier_requirements may be null', () => {
    const event = sampleEvent('tier.upgraded');
    const top = {
      ...event,
      tier_change: { ...event.tier_change, new_tier: 'vip', next_tier_requirements: null },
    };
    expect(parseEvent(JSON.stringify(top))).toMatchObject({ tier_change: { next_tier_requirements: null } });
    const bad = { ...event, tier_change: { ...event.tier_change, new_tier: 'diamond' } };
    expect(reasonOf(() => parseEvent(JSON.stringify(bad)))).toContain(
      'tier_change.new_tier must be one of default, bronze',
    );
  });

  it('lets errors other than schema errors through', () => {
    const poisoned = { event: 'customer.registered' };
    Object.defineProperty(poisoned, 'timestamp', {
      enumerable: true,
      get() {
        throw new RangeError('boom');
      },
    });
    expect(() => parseEvent(poisoned)).toThrow(RangeError);
  });
});
