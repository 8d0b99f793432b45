import type { Kysely } from 'kysely';
import { findCustomer } from '../customers/customer-profile.js';
import { isUniqueViolation } from '../db/constraint-error.js';
import type { Tables } from '../db/tables.js';
import { runInTransaction } from '../db/transaction.js';
import { ZupyError } from '../errors.js';
import { requestFingerprint, withIdempotency } from '../points/idempotency.js';
import { postCouponLedgerEntry } from '../points/points-operation.js';
import type { AppContext } from '../shared/context.js';
import { apiTimestamp } from '../shared/timestamps.js';
import { assertActive, findCoupon } from './validate-coupon.js';

export interface CancellationResult {
  customer_id: string;
  coupon_code: string;
  status: 'cancelled';
  points_refunded: number;
  new_balance: number;
  cancelled_at: string;
}

async function cancelInTransaction(
  trx: Kysely<Tables>,
  ctx: AppContext,
  companyId: string,
  code: string,
): Promise<CancellationResult> {
  const now = ctx.clock();
  const stamp = now.toISOString();
  const coupon = await findCoupon(trx, companyId, code);
  assertActive(coupon, now);
  const cancelled = await trx
    .updateTable('coupons')
    .set({ status: 'cancelled', cancelled_at: stamp })
    .where('seq', '=', coupon.seq)
    .where('status', '=', 'active')
    .returning('seq')
    .executeTakeFirst();
  if (!cancelled) throw new ZupyError('ZUPY_CONFLICT', `coupon ${coupon.code} is no longer active`);
  // A redeemed coupon gives its unit of stock back (a welcome coupon took none).
  if (coupon.kind === 'redeemed') {
    await trx
      .updateTable('rewards')
      .set((eb) => ({ stock: eb('stock', '+', 1) }))
      .where('id', '=', coupon.reward_id)
      .where('stock', 'is not', null)
      .execute();
  }
  const points = Number(coupon.points_spent);
  const balance =
    points > 0
      ? (
          await postCouponLedgerEntry(trx, ctx, companyId, coupon.member_id, {
            operation: 'refund',
            amount: points,
            reason: `coupon ${coupon.code} cancelled`,
          })
        ).balance_after
      : Number((await findCustomer(trx, companyId, coupon.member_id)).points_balance);
  return {
    customer_id: coupon.member_id,
    coupon_code: coupon.code,
    status: 'cancelled',
    points_refunded: points,
    new_balance: balance,
    cancelled_at: apiTimestamp(stamp),
  };
}

/**
 * Cancels an active coupon: it can no longer be used, its points go back to the ledger (operation
 * `refund`) and its unit of stock back to the reward, in one transaction. 409 when it is used,
 * expired or already cancelled.
 */
export async function cancelCoupon(
  ctx: AppContext,
  companyId: string,
  code: string,
  idempotencyKey: string | undefined,
): Promise<CancellationResult> {
  const fingerprint = requestFingerprint(['cancel', code.toUpperCase()]);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await runInTransaction(ctx.db, async (trx) => {
        // The key is scoped to the coupon's member, as a redeem's or a validation's is.
        const { member_id: memberId } = await findCoupon(trx, companyId, code);
        return withIdempotency(
          trx,
          { companyId, memberId, operation: 'cancel', key: idempotencyKey, fingerprint, now: ctx.clock() },
          () => cancelInTransaction(trx, ctx, companyId, code),
        );
      });
      return result;
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 2) throw error;
    }
  }
}
