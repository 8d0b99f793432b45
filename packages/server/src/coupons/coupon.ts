import type { CouponPlatform, DiscountType, RedemptionMethod } from '@zupy/webhooks';
import type { CouponRow } from '../db/tables.js';
import { fromCents } from '../shared/money.js';
import { apiTimestamp } from '../shared/timestamps.js';

export const COUPON_STATUSES = ['active', 'used', 'expired', 'cancelled'] as const;
export type CouponStatus = (typeof COUPON_STATUSES)[number];

/** A coupon as the API gives it. */
export interface Coupon {
  code: string;
  customer_id: string;
  reward_id: string;
  reward_name: string;
  kind: 'redeemed' | 'welcome';
  status: CouponStatus;
  discount_type: DiscountType;
  discount_value: number;
  maximum_discount: number | null;
  minimum_purchase: number | null;
  points_spent: number;
  redemption_method: RedemptionMethod;
  valid_until: string;
  created_at: string;
  used_at: string | null;
  cancelled_at: string | null;
  order_value: number | null;
  discount_applied: number | null;
  final_value: number | null;
  platform: CouponPlatform | null;
  order_id: string | null;
  location: string | null;
  staff_member: string | null;
}

const brlOrNull = (cents: number | null): number | null => (cents === null ? null : fromCents(cents));

/** An active coupon past `valid_until` is expired: computed when read, no job has to run. */
export function couponStatus(row: Pick<CouponRow, 'status' | 'valid_until'>, now: Date): CouponStatus {
  if (row.status === 'active' && row.valid_until <= now.toISOString()) return 'expired';
  return row.status as CouponStatus;
}

export function toCoupon(row: CouponRow, now: Date): Coupon {
  const order = row.order_value_cents === null ? null : Number(row.order_value_cents);
  const discount = row.discount_applied_cents === null ? null : Number(row.discount_applied_cents);
  return {
    code: row.code,
    customer_id: row.member_id,
    reward_id: row.reward_id,
    reward_name: row.reward_name,
    kind: row.kind as Coupon['kind'],
    status: couponStatus(row, now),
    discount_type: row.discount_type as DiscountType,
    discount_value: fromCents(row.discount_value_hundredths),
    maximum_discount: brlOrNull(
      row.maximum_discount_cents === null ? null : Number(row.maximum_discount_cents),
    ),
    minimum_purchase: brlOrNull(
      row.minimum_purchase_cents === null ? null : Number(row.minimum_purchase_cents),
    ),
    points_spent: Number(row.points_spent),
    redemption_method: row.redemption_method as RedemptionMethod,
    valid_until: apiTimestamp(row.valid_until),
    created_at: apiTimestamp(row.created_at),
    used_at: row.used_at === null ? null : apiTimestamp(row.used_at),
    cancelled_at: row.cancelled_at === null ? null : apiTimestamp(row.cancelled_at),
    order_value: brlOrNull(order),
    discount_applied: brlOrNull(discount),
    final_value: order === null || discount === null ? null : fromCents(order - discount),
    platform: row.platform as CouponPlatform | null,
    order_id: row.order_id,
    location: row.location,
    staff_member: row.staff_member,
  };
}
