/**
 * The names in Zupy's webhooks — event types, tier names, qualification metrics, disable reasons —
 * and the events' types, for code that must not load the rest of the SDK: `@zupy/webhooks/events`
 * imports nothing at run time (no `node:` module), so a browser bundle (the admin panel) can use it.
 * The events' definitions, validation and serialization are in event-schemas.ts.
 */
import type { OperationalEvent, ZupyEvent } from './event-schemas.js';

/**
 * Events about a company's customers. An endpoint whose `events` list is empty receives these,
 * all of them, and nothing else.
 */
export const CUSTOMER_EVENT_TYPES = [
  'customer.registered',
  'tier.upgraded',
  'coupon.redeemed',
  'coupon.used',
  'customer.updated',
  'customer.deleted',
  'points.earned',
] as const;
export type CustomerEventType = (typeof CUSTOMER_EVENT_TYPES)[number];

/**
 * Events about the company's webhook delivery itself, for whoever is on call. Not part of "all
 * events": an endpoint receives them only when its `events` list names them, and never about itself.
 */
export const OPERATIONAL_EVENT_TYPES = ['endpoint.disabled', 'endpoint.enabled', 'delivery.failed'] as const;
export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];

/** Every event type Zupy sends: the customer events, then the operational ones. */
export const EVENT_TYPES = [...CUSTOMER_EVENT_TYPES, ...OPERATIONAL_EVENT_TYPES] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Why an endpoint was disabled: a 410 Gone, every attempt failing for days, or a person. */
export const DISABLE_REASON_CODES = ['gone', 'failure_streak', 'manual'] as const;
export type DisableReasonCode = (typeof DISABLE_REASON_CODES)[number];

/** Where the points of a `points.earned` came from: an order's platform, or `manual` (`points/add`). */
export const EARNING_PLATFORMS = ['pos', 'manual', 'goomer', 'ifood', 'repediu', 'saipos'] as const;
export type EarningPlatform = (typeof EARNING_PLATFORMS)[number];

/** The kinds of bonus a `points.earned` lists; `tier_multiplier` is the member's tier's. */
export const BONUS_TYPES = ['category_bonus', 'happy_hour', 'special_promotion', 'tier_multiplier'] as const;
export type BonusType = (typeof BONUS_TYPES)[number];

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

/** How a reward's coupon takes money off an order (`coupon.redeemed`, `coupon.used`). */
export const DISCOUNT_TYPES = ['percentage', 'fixed_amount', 'product_free', 'buy_one_get_one'] as const;
export type DiscountType = (typeof DISCOUNT_TYPES)[number];

/** Where a member redeemed points for a coupon (`coupon.redeemed`). */
export const REDEMPTION_METHODS = ['automatic', 'manual', 'app', 'website'] as const;
export type RedemptionMethod = (typeof REDEMPTION_METHODS)[number];

/** Where a coupon was used (`coupon.used`). */
export const COUPON_PLATFORMS = ['pos', 'manual', 'goomer', 'ifood', 'repediu'] as const;
export type CouponPlatform = (typeof COUPON_PLATFORMS)[number];
/** The fields of a customer that `customer.updated` names in `changed_fields`. */
export const CUSTOMER_FIELDS = ['whatsapp', 'email', 'name', 'cpf', 'marketing_opt_in'] as const;
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];

/** True for the event types this version knows (`EVENT_TYPES`). */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/** True for `endpoint.disabled`, `endpoint.enabled` and `delivery.failed`. */
export function isOperationalEventType(value: unknown): value is OperationalEventType {
  return typeof value === 'string' && (OPERATIONAL_EVENT_TYPES as readonly string[]).includes(value);
}

/** Narrows an event to the operational ones (`endpoint.*`, `delivery.failed`). */
export function isOperationalEvent(event: ZupyEvent): event is OperationalEvent {
  return isOperationalEventType(event.event);
}

// Types only: erased from the JavaScript, so importing them loads none of the schemas.
export type {
  WelcomeReward,
  CustomerRegisteredEvent,
  TierUpgradedEvent,
  NextTierRequirements,
  CouponRedeemedEvent,
  CouponUsedEvent,
  CustomerUpdatedEvent,
  CustomerDeletedEvent,
  MarketingOptIn,
  PointsEarnedEvent,
  EarnedBonus,
  NextTierProgress,
  EndpointSummary,
  DeliveryCounts,
  EndpointDisabledEvent,
  EndpointEnabledEvent,
  DeliveryFailedEvent,
  CustomerEvent,
  OperationalEvent,
  ZupyEvent,
} from './event-schemas.js';
