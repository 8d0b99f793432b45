/**
 * The wire contract of Zupy's outbound webhooks (CONTRACT §1): the event types, their exact shapes and
 * the one serializer that puts keys in the documented order. The server builds every body with
 * {@link serializeEvent}, so what integrators parse is byte-for-byte what this file describes.
 */

/** Every event type Zupy sends, in the order the docs list them. */
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

export type WelcomeReward =
  | { enabled: false; type: 'none' }
  | { enabled: true; type: 'points'; points_awarded: number }
  | { enabled: true; type: 'coupon'; coupon_code: string };

export interface CustomerRegisteredEvent {
  event: 'customer.registered';
  /** ISO 8601 UTC, second precision, e.g. `2025-08-26T15:30:00Z`. */
  timestamp: string;
  company_id: string;
  customer: {
    member_id: string;
    whatsapp: string;
    email: string | null;
    name: string;
    cpf: string | null;
    tier: TierName;
    created_at: string;
  };
  welcome_reward: WelcomeReward;
}

export interface NextTierRequirements {
  tier_name: TierName;
  points_needed: number;
  total_points_required: number;
}

export interface TierUpgradedEvent {
  event: 'tier.upgraded';
  timestamp: string;
  company_id: string;
  customer: {
    member_id: string;
    name: string;
    whatsapp: string;
    email: string | null;
    tier: TierName;
  };
  tier_change: {
    previous_tier: TierName;
    new_tier: TierName;
    qualification_metric: QualificationMetric;
    qualification_value: number;
    next_tier_requirements: NextTierRequirements | null;
  };
}

/** Every event Zupy sends: switch on `event` to narrow. */
export type ZupyEvent = CustomerRegisteredEvent | TierUpgradedEvent;

function serializeWelcomeReward(reward: WelcomeReward): WelcomeReward {
  switch (reward.type) {
    case 'none':
      return { enabled: false, type: 'none' };
    case 'points':
      return { enabled: true, type: 'points', points_awarded: reward.points_awarded };
    case 'coupon':
      return { enabled: true, type: 'coupon', coupon_code: reward.coupon_code };
  }
}

/** Rebuilds an event with its keys in the documented order and no extra keys. */
export function canonicalEvent(event: ZupyEvent): ZupyEvent {
  switch (event.event) {
    case 'customer.registered': {
      const c = event.customer;
      return {
        event: event.event,
        timestamp: event.timestamp,
        company_id: event.company_id,
        customer: {
          member_id: c.member_id,
          whatsapp: c.whatsapp,
          email: c.email,
          name: c.name,
          cpf: c.cpf,
          tier: c.tier,
          created_at: c.created_at,
        },
        welcome_reward: serializeWelcomeReward(event.welcome_reward),
      };
    }
    case 'tier.upgraded': {
      const c = event.customer;
      const t = event.tier_change;
      const next = t.next_tier_requirements;
      return {
        event: event.event,
        timestamp: event.timestamp,
        company_id: event.company_id,
        customer: {
          member_id: c.member_id,
          name: c.name,
          whatsapp: c.whatsapp,
          email: c.email,
          tier: c.tier,
        },
        tier_change: {
          previous_tier: t.previous_tier,
          new_tier: t.new_tier,
          qualification_metric: t.qualification_metric,
          qualification_value: t.qualification_value,
          next_tier_requirements:
            next === null
              ? null
              : {
                  tier_name: next.tier_name,
                  points_needed: next.points_needed,
                  total_points_required: next.total_points_required,
                },
        },
      };
    }
  }
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
