import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import Schema from 'typebox/schema';
import { describe, expect, it } from 'vitest';
import { serializeEvent } from '../src/event-schemas.js';
import { EVENT_TYPES, type EventType } from '../src/events.js';
import { eventJsonSchema } from '../src/json-schema.js';
import { parseEvent } from '../src/parse-event.js';
import { sampleEvent } from '../src/samples.js';

const SCHEMAS = new URL('../schemas/', import.meta.url);
const EVENTS_PAGE = new URL('../../../docs/events.md', import.meta.url);
const DOCS_TIME = new Date('2025-08-26T15:30:00Z');

function published(type: EventType): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${type}.schema.json`, SCHEMAS), 'utf8')) as Record<string, unknown>;
}

/** Whether parseEvent accepts the value: the definition the JSON Schema is generated from. */
function parses(value: unknown): boolean {
  try {
    parseEvent(value as object);
    return true;
  } catch {
    return false;
  }
}

describe('the published JSON Schemas (schemas/*.schema.json)', () => {
  it('are one per event type, and exactly what eventJsonSchema generates, keys in order', () => {
    expect(readdirSync(SCHEMAS).sort()).toEqual(EVENT_TYPES.map((t) => `${t}.schema.json`).sort());
    for (const type of EVENT_TYPES) {
      // Compared as compact JSON: key order counts, formatting (prettier's) does not.
      expect(
        JSON.stringify(published(type)),
        `schemas/${type}.schema.json is stale: npm run build && npm run schemas -w @zupy/webhooks`,
      ).toBe(JSON.stringify(eventJsonSchema(type)));
    }
  });

  it('are exported by the package: @zupy/webhooks/schemas/<event>.schema.json', () => {
    const require = createRequire(import.meta.url);
    for (const type of EVENT_TYPES) {
      expect(require(`@zupy/webhooks/schemas/${type}.schema.json`)).toEqual(published(type));
    }
  });

  it.each(EVENT_TYPES)('%s: lists every key of the body as required, in the order sent', (type) => {
    const schema = published(type);
    const sample = sampleEvent(type, { now: DOCS_TIME });
    expect(schema).toMatchObject({ title: type, type: 'object', examples: [sample] });
    expect(schema.required).toEqual(Object.keys(sample));
    expect(Object.keys(schema.properties as object)).toEqual(Object.keys(JSON.parse(serializeEvent(sample))));
  });

  it.each(EVENT_TYPES)('%s: its sample validates, with an independent validator', (type) => {
    const schema = published(type);
    expect(Schema.Check(schema, sampleEvent(type))).toBe(true);
    expect(Schema.Check(schema, JSON.parse(serializeEvent(sampleEvent(type, { companyId: 'comp_x' }))))).toBe(
      true,
    );
  });

  /** Changes that parseEvent refuses: the JSON Schema must refuse them too (and accept what it accepts). */
  const cases: [EventType, string, (event: any) => void, boolean][] = [
    ['customer.registered', 'tier not a tier', (e) => (e.customer.tier = 'diamond'), false],
    ['customer.registered', 'member id lower case', (e) => (e.customer.member_id = 'ZP-8b23cd41'), false],
    ['customer.registered', 'cpf null', (e) => (e.customer.cpf = null), true],
    [
      'customer.registered',
      'coupon reward',
      (e) => (e.welcome_reward = { enabled: true, type: 'coupon', coupon_code: 'CP-1A2B3C4D' }),
      true,
    ],
    [
      'customer.registered',
      'points reward without points',
      (e) => (e.welcome_reward = { enabled: true, type: 'points' }),
      false,
    ],
    [
      'customer.registered',
      'reward none but enabled',
      (e) => (e.welcome_reward = { enabled: true, type: 'none' }),
      false,
    ],
    ['tier.upgraded', 'top tier', (e) => (e.tier_change.next_tier_requirements = null), true],
    ['tier.upgraded', 'unknown metric', (e) => (e.tier_change.qualification_metric = 'visits'), false],
    ['points.earned', 'top tier', (e) => (e.next_tier = null), true],
    ['points.earned', 'no bonuses', (e) => (e.bonuses = []), true],
    ['points.earned', 'a fractional bonus', (e) => (e.bonuses[2].bonus_points = 1.5), false],
    ['points.earned', 'an unknown bonus type', (e) => (e.bonuses[1].type = 'birthday'), false],
    [
      'points.earned',
      'manual, no order',
      (e) => Object.assign(e.transaction, { order_id: null, order_value: null, platform: 'manual' }),
      true,
    ],
    ['points.earned', 'an unknown platform', (e) => (e.transaction.platform = 'rappi'), false],
    ['points.earned', 'a benefit not text', (e) => (e.next_tier.benefits_preview = [1]), false],
    [
      'endpoint.disabled',
      'manual, never probed',
      (e) =>
        Object.assign(e, {
          reason: { code: 'manual', message: 'by hand' },
          last_attempt: null,
          failing_since: null,
          next_probe_at: null,
        }),
      true,
    ],
    ['endpoint.disabled', 'unknown reason', (e) => (e.reason.code = 'tired'), false],
    ['endpoint.disabled', 'negative held', (e) => (e.deliveries.held = -1), false],
    ['endpoint.disabled', 'fractional held', (e) => (e.deliveries.held = 0.5), false],
    ['endpoint.disabled', 'status below 100', (e) => (e.last_attempt.status = 42), false],
    ['endpoint.disabled', 'status null', (e) => (e.last_attempt.status = null), true],
    ['endpoint.disabled', 'missing next_probe_at', (e) => delete e.next_probe_at, false],
    [
      'endpoint.disabled',
      'timestamp with milliseconds',
      (e) => (e.disabled_at = '2025-08-26T15:30:00.000Z'),
      false,
    ],
    ['endpoint.disabled', 'an extra key', (e) => (e.extra = 1), true],
    [
      'endpoint.enabled',
      'by operator, discarded 3',
      (e) => Object.assign(e, { enabled_by: 'operator', discarded: 3 }),
      true,
    ],
    ['endpoint.enabled', 'by cron', (e) => (e.enabled_by = 'cron'), false],
    ['endpoint.enabled', 'description missing', (e) => delete e.endpoint.description, false],
    ['delivery.failed', 'last_attempt null', (e) => (e.last_attempt = null), false],
    ['delivery.failed', 'zero attempts', (e) => (e.delivery.attempts = 0), false],
    ['delivery.failed', 'a newer event type', (e) => (e.delivery.event_type = 'coupon.redeemed'), true],
    [
      'delivery.failed',
      'an event type with spaces',
      (e) => (e.delivery.event_type = 'customer registered'),
      false,
    ],
    ['delivery.failed', 'an endpoint id that is not one', (e) => (e.endpoint.id = 'dlv_x'), false],
  ];
  it.each(cases)('%s, %s: JSON Schema and parseEvent agree', (type, _name, change, valid) => {
    const event = structuredClone(sampleEvent(type)) as Record<string, unknown>;
    change(event);
    expect(parses(event)).toBe(valid);
    expect(Schema.Check(published(type), event)).toBe(valid);
  });
});

describe('docs/events.md', () => {
  const page = readFileSync(EVENTS_PAGE, 'utf8');
  const samples = [...page.matchAll(/```json\n([\s\S]*?)```/g)].map(
    (m) => JSON.parse(m[1]!) as { event: string },
  );

  it('shows each event’s sample exactly as sampleEvent gives it, in EVENT_TYPES order', () => {
    expect(samples.map((s) => s.event)).toEqual([...EVENT_TYPES]);
    for (const sample of samples) {
      const type = sample.event as EventType;
      expect(JSON.stringify(sample), type).toBe(serializeEvent(sampleEvent(type, { now: DOCS_TIME })));
    }
  });

  it('links each event’s schema file', () => {
    for (const type of EVENT_TYPES) {
      expect(page).toContain(`(../packages/webhooks/schemas/${type}.schema.json)`);
    }
  });
});
