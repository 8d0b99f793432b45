import type { CouponPlatform } from '@zupy/webhooks';
import type { Kysely } from 'kysely';
import { findCustomer } from '../customers/customer-profile.js';
import { isUniqueViolation } from '../db/constraint-error.js';
import type { CouponRow, Tables } from '../db/tables.js';
import { runInTransaction } from '../db/transaction.js';
import { ZupyError, notFound } from '../errors.js';
import { couponUsedPayload } from '../events/event-payloads.js';
import { recordEvent } from '../events/record-event.js';
import { requestFingerprint, withIdempotency } from '../points/idempotency.js';
import type { AppContext } from '../shared/context.js';
import { fromCents, toCents } from '../shared/money.js';
import { apiTimestamp } from '../shared/timestamps.js';
import { couponStatus } from './coupon.js';
import { computeDiscount } from './coupon-discount.js';

export interface ValidateCouponInput {
  order_value: number;
  platform: CouponPlatform;
  order_id?: string | undefined;
  location?: string | undefined;
  staff_member?: string | undefined;
  items?: { name: string; quantity: number; unit_price: number }[] | undefined;
}

export interface ValidationResult {
  customer_id: string;
  coupon_code: string;
  status: 'used';
  discount_applied: number;
  final_value: number;
  validated_at: string;
}

/** A coupon of this company, by code (any case); another company's is as unknown as a missing one. */
export async function findCoupon(db: Kysely<Tables>, companyId: string, code: string): Promise<CouponRow> {
  const row = await db
    .selectFrom('coupons')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('code', '=', code.toUpperCase())
    .executeTakeFirst();
  if (!row) throw notFound(`coupon ${code.toUpperCase()}`);
  return row;
}

/** 409 unless the coupon can still be used (or cancelled) now. */
export function assertActive(row: CouponRow, now: Date): void {
  const status = couponStatus(row, now);
  if (status !== 'active') {
    const when = status === 'expired' ? ` on ${apiTimestamp(row.valid_until)}` : '';
    throw new ZupyError('ZUPY_CONFLICT', `coupon ${row.code} is ${status}${when}`);
  }
}

async function validateInTransaction(
  trx: Kysely<Tables>,
  ctx: AppContext,
  companyId: string,
  memberId: string,
  code: string,
  input: ValidateCouponInput,
): Promise<ValidationResult> {
  const now = ctx.clock();
  const stamp = now.toISOString();
  const coupon = await findCoupon(trx, companyId, code);
  if (coupon.member_id !== memberId) throw notFound(`coupon ${coupon.code} of customer ${memberId}`);
  assertActive(coupon, now);
  const orderCents = toCents(input.order_value);
  const minimum = coupon.minimum_purchase_cents === null ? null : Number(coupon.minimum_purchase_cents);
  if (minimum !== null && orderCents < minimum) {
    throw new ZupyError('ZUPY_VALIDATION_FAILED', `order_value is below the coupon's minimum purchase`, {
      fieldErrors: [
        {
          field: 'order_value',
          code: 'below_minimum_purchase',
          params: { minimum: fromCents(minimum).toFixed(2) },
          detail: `must be at least ${fromCents(minimum).toFixed(2)} (the minimum purchase)`,
        },
      ],
    });
  }
  const discount = computeDiscount(
    {
      discount_type: coupon.discount_type as Parameters<typeof computeDiscount>[0]['discount_type'],
      discount_value_hundredths: Number(coupon.discount_value_hundredths),
      maximum_discount_cents:
        coupon.maximum_discount_cents === null ? null : Number(coupon.maximum_discount_cents),
    },
    orderCents,
    (input.items ?? []).map((item) => ({
      name: item.name,
      quantity: item.quantity,
      unit_price_cents: toCents(item.unit_price),
    })),
  );
  // Conditional: of two validations racing for one coupon, one finds it active and the other not.
  const used = await trx
    .updateTable('coupons')
    .set({
      status: 'used',
      used_at: stamp,
      order_value_cents: orderCents,
      discount_applied_cents: discount.discount_cents,
      platform: input.platform,
      order_id: input.order_id ?? null,
      location: input.location ?? null,
      staff_member: input.staff_member ?? null,
    })
    .where('seq', '=', coupon.seq)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
  if (!used) throw new ZupyError('ZUPY_CONFLICT', `coupon ${coupon.code} is used`);
  const customer = await findCustomer(trx, companyId, memberId);
  await recordEvent(trx, couponUsedPayload(customer, used, discount.items_affected, now), now);
  return {
    customer_id: memberId,
    coupon_code: used.code,
    status: 'used',
    discount_applied: fromCents(discount.discount_cents),
    final_value: fromCents(orderCents - discount.discount_cents),
    validated_at: apiTimestamp(stamp),
  };
}

/**
 * Uses a member's coupon on an order: the discount (coupon-discount.ts), the coupon marked used and
 * `coupon.used`, in one transaction. 422 below the minimum purchase; 409 when the coupon is used,
 * expired or cancelled — unless the same `Idempotency-Key` validated it, which replays that answer.
 */
export async function validateCoupon(
  ctx: AppContext,
  companyId: string,
  memberId: string,
  code: string,
  input: ValidateCouponInput,
  idempotencyKey: string | undefined,
): Promise<ValidationResult> {
  const fingerprint = requestFingerprint(['validate', memberId, code.toUpperCase(), input]);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await runInTransaction(ctx.db, (trx) =>
        withIdempotency(
          trx,
          { companyId, memberId, operation: 'validate', key: idempotencyKey, fingerprint, now: ctx.clock() },
          () => validateInTransaction(trx, ctx, companyId, memberId, code, input),
        ),
      );
      return result;
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 2) throw error;
    }
  }
}
