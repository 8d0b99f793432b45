/**
 * The wire contract of Zupy's outbound webhooks: each event is defined once, below, and that
 * definition gives its TypeScript type, its run-time validation (`parseEvent`) and the key order of
 * the body the server sends (`serializeEvent`).
 */
import {
  literal,
  nullable,
  number,
  object,
  oneOf,
  string,
  tagged,
  type Infer,
  type Schema,
} from './schema.js';

/** Every event type Zupy sends. */
export const EVENT_TYPES = ['customer.registered', 'tier.upgraded'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Tier names a program may use; a program orders the ones it uses by threshold. */
export const TIER_NAMES = ['default', 'bronze', 'silver', 'gold', 'platinum', 'vip'] as const;
export type TierName = (typeof TIER_NAMES)[number];

export const QUALIFICATION_METRICS = [
  'points_balance',
  'total_spent',
  'transaction_count',
  'custom_criteria',
] as const;
export type QualificationMetric = (typeof QUALIFICATION_METRICS)[number];

const timestamp = string(
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
  'an ISO 8601 UTC timestamp like 2025-08-26T15:30:00Z',
);
const memberId = string(/^ZP-[0-9A-F]{8}$/, 'a member id like ZP-8B23CD41');
const whatsapp = string(/^\+[1-9]\d{6,14}$/, 'an E.164 phone number like +5511965958122');
const email = nullable(string());
const tier = oneOf(TIER_NAMES);

const welcomeReward = tagged('type', {
  none: object({ enabled: literal(false), type: literal('none') }),
  points: object({ enabled: literal(true), type: literal('points'), points_awarded: number() }),
  coupon: object({
    enabled: literal(true),
    type: literal('coupon'),
    coupon_code: string(/^CP-[0-9A-F]{8}$/, 'a coupon code like CP-1A2B3C4D'),
  }),
});

const customerRegistered = object({
  event: literal('customer.registered'),
  timestamp,
  company_id: string(),
  customer: object({
    member_id: memberId,
    whatsapp,
    email,
    name: string(),
    cpf: nullable(string(/^\d{11}$/, '11 digits')),
    tier,
    created_at: timestamp,
  }),
  welcome_reward: welcomeReward,
});

const tierUpgraded = object({
  event: literal('tier.upgraded'),
  timestamp,
  company_id: string(),
  customer: object({ member_id: memberId, name: string(), whatsapp, email, tier }),
  tier_change: object({
    previous_tier: tier,
    new_tier: tier,
    qualification_metric: oneOf(QUALIFICATION_METRICS),
    qualification_value: number(),
    next_tier_requirements: nullable(
      object({ tier_name: tier, points_needed: number(), total_points_required: number() }),
    ),
  }),
});

export type WelcomeReward = Infer<typeof welcomeReward>;
/** Sent when a customer joins through any channel (POS, app, website, API, import). */
export type CustomerRegisteredEvent = Infer<typeof customerRegistered>;
/** Sent when a customer's tier goes up, by activity or by a manual change. */
export type TierUpgradedEvent = Infer<typeof tierUpgraded>;
export type NextTierRequirements = NonNullable<TierUpgradedEvent['tier_change']['next_tier_requirements']>;
/** Every event Zupy sends: switch on `event` to narrow. */
export type ZupyEvent = CustomerRegisteredEvent | TierUpgradedEvent;

/** The schema of each event type. */
export const EVENT_SCHEMAS: { readonly [T in EventType]: Schema<Extract<ZupyEvent, { event: T }>> } = {
  'customer.registered': customerRegistered,
  'tier.upgraded': tierUpgraded,
};

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/** Checks an event against its definition and returns it with its keys in the documented order. */
export function canonicalEvent<E extends ZupyEvent>(event: E): E {
  return EVENT_SCHEMAS[event.event].parse(event) as E;
}

/**
 * Serializes an event exactly as Zupy sends it: compact JSON, keys in the documented order, UTF-8
 * characters unescaped. Sign these bytes; never re-serialize a parsed body before verifying it.
 *
 * @example
 * const body = serializeEvent(event); // '{"event":"customer.registered","timestamp":…}'
 */
export function serializeEvent(event: ZupyEvent): string {
  return JSON.stringify(canonicalEvent(event));
}

/** Formats a date as the contract's timestamps: ISO 8601 UTC, second precision, `Z`. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19) + 'Z';
}
