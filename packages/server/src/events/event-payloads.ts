import {
  formatTimestamp,
  type CouponPlatform,
  type CouponRedeemedEvent,
  type CouponUsedEvent,
  type DiscountType,
  type RedemptionMethod,
  type CustomerDeletedEvent,
  type CustomerField,
  type CustomerUpdatedEvent,
  type CustomerRegisteredEvent,
  type EarnedBonus,
  type EarningPlatform,
  type NextTierProgress,
  type PointsEarnedEvent,
  type TierName,
  type TierUpgradedEvent,
  type WelcomeReward,
} from '@zupy/webhooks';
import type { CouponRow, CustomerRow, RewardRow } from '../db/tables.js';
import type { TierUpgrade } from '../program/evaluate-tier.js';
import { nextTierRequirements } from '../program/evaluate-tier.js';
import type { Program, ProgramMetric } from '../program/program.js';
import { fromCents } from '../shared/money.js';
import { apiTimestamp } from '../shared/timestamps.js';

/** The body of `customer.registered` for a customer just inserted. */
export function customerRegisteredPayload(
  customer: Pick<
    CustomerRow,
    'member_id' | 'company_id' | 'whatsapp' | 'email' | 'name' | 'cpf' | 'created_at'
  >,
  tier: TierName,
  welcomeReward: WelcomeReward,
  now: Date,
): CustomerRegisteredEvent {
  return {
    event: 'customer.registered',
    timestamp: formatTimestamp(now),
    company_id: customer.company_id,
    customer: {
      member_id: customer.member_id,
      whatsapp: customer.whatsapp,
      email: customer.email,
      name: customer.name,
      cpf: customer.cpf,
      tier,
      created_at: apiTimestamp(customer.created_at),
    },
    welcome_reward: welcomeReward,
  };
}

/** The body of `tier.upgraded`; `metric` is `custom_criteria` for a manual change. */
export function tierUpgradedPayload(
  customer: Pick<CustomerRow, 'member_id' | 'company_id' | 'whatsapp' | 'email' | 'name'>,
  program: Program,
  upgrade: TierUpgrade,
  metric: ProgramMetric | 'custom_criteria',
  now: Date,
): TierUpgradedEvent {
  return {
    event: 'tier.upgraded',
    timestamp: formatTimestamp(now),
    company_id: customer.company_id,
    customer: {
      member_id: customer.member_id,
      name: customer.name,
      whatsapp: customer.whatsapp,
      email: customer.email,
      tier: upgrade.new_tier,
    },
    tier_change: {
      previous_tier: upgrade.previous_tier,
      new_tier: upgrade.new_tier,
      qualification_metric: metric,
      qualification_value: upgrade.qualification_value,
      next_tier_requirements: nextTierRequirements(program, upgrade.new_tier, upgrade.qualification_value),
    },
  };
}

type CouponCustomer = Pick<CustomerRow, 'member_id' | 'company_id' | 'whatsapp' | 'email' | 'name' | 'tier'>;

/**
 * The `customer` object of coupon.redeemed, coupon.used and points.earned: the same five keys in the
 * same order; `tier` is the customer's now unless the caller knows a newer one.
 */
function summaryCustomer(
  customer: Pick<CustomerRow, 'member_id' | 'whatsapp' | 'email' | 'name' | 'tier'>,
  tier: TierName = customer.tier as TierName,
): CouponRedeemedEvent['customer'] {
  return {
    member_id: customer.member_id,
    whatsapp: customer.whatsapp,
    email: customer.email,
    name: customer.name,
    tier,
  };
}

/** BRL from centavos as the database returns them (PostgreSQL bigints arrive as strings), or null. */
const brlOrNull = (cents: number | string | null): number | null =>
  cents === null ? null : fromCents(Number(cents));

/** The body of `coupon.redeemed` for a coupon just issued from `reward`; `customer.tier` as it is now. */
export function couponRedeemedPayload(
  customer: CouponCustomer,
  reward: Pick<RewardRow, 'description' | 'terms'>,
  coupon: CouponRow,
  newBalance: number,
  now: Date,
): CouponRedeemedEvent {
  return {
    event: 'coupon.redeemed',
    timestamp: formatTimestamp(now),
    company_id: customer.company_id,
    customer: summaryCustomer(customer),
    coupon: {
      coupon_code: coupon.code,
      reward_id: coupon.reward_id,
      reward_name: coupon.reward_name,
      reward_description: reward.description,
      points_spent: Number(coupon.points_spent),
      new_balance: newBalance,
      expires_at: apiTimestamp(coupon.valid_until),
      terms: reward.terms,
      redemption_method: coupon.redemption_method as RedemptionMethod,
    },
    discount_details: {
      discount_type: coupon.discount_type as DiscountType,
      discount_value: fromCents(coupon.discount_value_hundredths),
      maximum_discount: brlOrNull(coupon.maximum_discount_cents),
      minimum_purchase: brlOrNull(coupon.minimum_purchase_cents),
    },
  };
}

/** One line of `items_affected`, in centavos (coupons/coupon-discount.ts gives them). */
export interface AffectedItem {
  name: string;
  quantity: number;
  unit_price_cents: number;
  discount_cents: number;
}

/** The body of `coupon.used` for a coupon just validated (the row as updated). */
export function couponUsedPayload(
  customer: CouponCustomer,
  coupon: CouponRow,
  items: readonly AffectedItem[],
  now: Date,
): CouponUsedEvent {
  const order = Number(coupon.order_value_cents ?? 0);
  const discount = Number(coupon.discount_applied_cents ?? 0);
  return {
    event: 'coupon.used',
    timestamp: formatTimestamp(now),
    company_id: customer.company_id,
    customer: summaryCustomer(customer),
    usage: {
      coupon_code: coupon.code,
      reward_name: coupon.reward_name,
      discount_type: coupon.discount_type as DiscountType,
      discount_applied: fromCents(discount),
      order_value: fromCents(order),
      final_value: fromCents(order - discount),
      location: coupon.location,
      staff_member: coupon.staff_member,
      platform: coupon.platform as CouponPlatform,
      order_id: coupon.order_id,
      items_affected: items.map((item) => ({
        name: item.name,
        quantity: item.quantity,
        unit_price: fromCents(item.unit_price_cents),
        discount_applied: fromCents(item.discount_cents),
      })),
    },
  };
}

/** The body of `customer.updated`: the customer after the change, and what changed. */
export function customerUpdatedPayload(
  customer: Pick<
    CustomerRow,
    | 'member_id'
    | 'company_id'
    | 'whatsapp'
    | 'email'
    | 'name'
    | 'cpf'
    | 'tier'
    | 'marketing_whatsapp'
    | 'marketing_email'
  >,
  changedFields: CustomerField[],
  now: Date,
): CustomerUpdatedEvent {
  return {
    event: 'customer.updated',
    timestamp: formatTimestamp(now),
    company_id: customer.company_id,
    customer: {
      member_id: customer.member_id,
      whatsapp: customer.whatsapp,
      email: customer.email,
      name: customer.name,
      cpf: customer.cpf,
      tier: customer.tier as TierName,
      marketing_opt_in: {
        whatsapp: Number(customer.marketing_whatsapp) === 1,
        email: Number(customer.marketing_email) === 1,
      },
    },
    changed_fields: changedFields,
  };
}

/** The body of `customer.deleted`: the member id only, nothing personal. */
export function customerDeletedPayload(companyId: string, memberId: string, now: Date): CustomerDeletedEvent {
  return {
    event: 'customer.deleted',
    timestamp: formatTimestamp(now),
    company_id: companyId,
    customer: { member_id: memberId },
    deleted_at: formatTimestamp(now),
  };
}

/** What a credit of earned points was: its transaction, where it came from, how it was computed. */
export interface EarnedCredit {
  transaction_id: string;
  order_id: string | null;
  order_value_cents: number | null;
  platform: EarningPlatform;
  points_earned: number;
  base_points: number;
  bonus_points: number;
  new_balance: number;
  items_count: number;
  payment_method: string | null;
  bonuses: EarnedBonus[];
}

/** The body of `points.earned`; `tier` is the customer's tier after the credit. */
export function pointsEarnedPayload(
  customer: Pick<CustomerRow, 'member_id' | 'company_id' | 'whatsapp' | 'email' | 'name' | 'tier'>,
  tier: TierName,
  credit: EarnedCredit,
  nextTier: NextTierProgress | null,
  now: Date,
): PointsEarnedEvent {
  return {
    event: 'points.earned',
    timestamp: formatTimestamp(now),
    company_id: customer.company_id,
    customer: summaryCustomer(customer, tier),
    transaction: {
      transaction_id: credit.transaction_id,
      order_id: credit.order_id,
      order_value: credit.order_value_cents === null ? null : fromCents(credit.order_value_cents),
      platform: credit.platform,
      points_earned: credit.points_earned,
      base_points: credit.base_points,
      bonus_points: credit.bonus_points,
      new_balance: credit.new_balance,
      items_count: credit.items_count,
      payment_method: credit.payment_method,
    },
    bonuses: credit.bonuses.map((b) => ({ ...b })),
    next_tier: nextTier,
  };
}
