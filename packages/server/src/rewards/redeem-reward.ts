import type { RedemptionMethod } from '@zupy/webhooks';
import type { Kysely } from 'kysely';
import { generateRedeemedCode } from '../coupons/coupon-code.js';
import { issueCoupon } from '../coupons/issue-coupon.js';
import { findCustomer } from '../customers/customer-profile.js';
import { isUniqueViolation } from '../db/constraint-error.js';
import type { Tables } from '../db/tables.js';
import { runInTransaction } from '../db/transaction.js';
import { ZupyError } from '../errors.js';
import { couponRedeemedPayload } from '../events/event-payloads.js';
import { recordEvent } from '../events/record-event.js';
import { requestFingerprint, withIdempotency } from '../points/idempotency.js';
import { postCouponLedgerEntry } from '../points/points-operation.js';
import type { AppContext } from '../shared/context.js';
import { apiTimestamp } from '../shared/timestamps.js';
import { findReward } from './reward-store.js';

export interface RedeemInput {
  redemption_method?: RedemptionMethod | undefined;
}

export interface RedemptionResult {
  customer_id: string;
  coupon_code: string;
  points_used: number;
  new_balance: number;
  valid_until: string;
  created_at: string;
}

/** Takes one of a limited reward's stock, or refuses: never more coupons than the stock held. */
async function takeStock(trx: Kysely<Tables>, rewardId: string): Promise<void> {
  // One conditional UPDATE: on PostgreSQL a concurrent redemption waits for this row's lock and
  // then re-reads `stock > 0`; on SQLite writers are serialized anyway.
  const taken = await trx
    .updateTable('rewards')
    .set((eb) => ({ stock: eb('stock', '-', 1) }))
    .where('id', '=', rewardId)
    .where('active', '=', 1)
    .where('stock', '>', 0)
    .returning('stock')
    .executeTakeFirst();
  if (!taken) throw new ZupyError('ZUPY_CONFLICT', `reward ${rewardId} is out of stock`);
}

async function redeemInTransaction(
  trx: Kysely<Tables>,
  ctx: AppContext,
  companyId: string,
  memberId: string,
  rewardId: string,
  method: RedemptionMethod,
): Promise<RedemptionResult> {
  const now = ctx.clock();
  const reward = await findReward(trx, companyId, rewardId);
  if (Number(reward.active) !== 1) {
    throw new ZupyError('ZUPY_CONFLICT', `reward ${rewardId} is archived: it can no longer be redeemed`);
  }
  if (reward.stock !== null) await takeStock(trx, rewardId);
  const points = Number(reward.points_required);
  const ledger = await postCouponLedgerEntry(trx, ctx, companyId, memberId, {
    operation: 'redeem',
    amount: points,
    reason: `reward ${reward.id} (${reward.name})`,
    field: 'points_required',
  });
  const coupon = await issueCoupon(trx, {
    companyId,
    memberId,
    reward,
    kind: 'redeemed',
    pointsSpent: points,
    method,
    newCode: () => generateRedeemedCode(),
    now,
  });
  const customer = await findCustomer(trx, companyId, memberId);
  await recordEvent(trx, couponRedeemedPayload(customer, reward, coupon, ledger.balance_after, now), now);
  return {
    customer_id: memberId,
    coupon_code: coupon.code,
    points_used: points,
    new_balance: ledger.balance_after,
    valid_until: apiTimestamp(coupon.valid_until),
    created_at: apiTimestamp(coupon.created_at),
  };
}

/**
 * Spends a member's points on a reward: the ledger debit (`redeem`), the coupon and `coupon.redeemed`
 * are one transaction. 422 `insufficient-balance` when short, 409 when the reward is archived or out
 * of stock; nothing is written then. An `Idempotency-Key` replays the first answer.
 */
export async function redeemReward(
  ctx: AppContext,
  companyId: string,
  memberId: string,
  rewardId: string,
  input: RedeemInput,
  idempotencyKey: string | undefined,
): Promise<RedemptionResult> {
  const method = input.redemption_method ?? 'manual';
  const fingerprint = requestFingerprint(['redeem', memberId, rewardId, method]);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await runInTransaction(ctx.db, (trx) =>
        withIdempotency(
          trx,
          { companyId, memberId, operation: 'redeem', key: idempotencyKey, fingerprint, now: ctx.clock() },
          () => redeemInTransaction(trx, ctx, companyId, memberId, rewardId, method),
        ),
      );
      return result;
    } catch (error) {
      // Two requests with one new key raced: the loser runs again and replays the winner's answer.
      if (!isUniqueViolation(error) || attempt >= 2) throw error;
    }
  }
}
