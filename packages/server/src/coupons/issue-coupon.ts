import type { RedemptionMethod } from '@zupy/webhooks';
import type { Kysely } from 'kysely';
import type { CouponRow, RewardRow, Tables } from '../db/tables.js';

const MAX_CODE_TRIES = 8;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface IssueCouponInput {
  companyId: string;
  memberId: string;
  reward: RewardRow;
  kind: 'redeemed' | 'welcome';
  pointsSpent: number;
  method: RedemptionMethod;
  /** Draws a code: `CZ-…` for a redemption, the contract's `CP-…` for a welcome coupon. */
  newCode: () => string;
  now: Date;
}

/**
 * Writes a coupon of `reward` for a member inside the caller's transaction, valid for the reward's
 * `validity_days`, with a copy of its discount rules. A code already taken is drawn again.
 */
export async function issueCoupon(trx: Kysely<Tables>, input: IssueCouponInput): Promise<CouponRow> {
  const { reward, now } = input;
  let code = input.newCode();
  for (let i = 1; ; i++) {
    const taken = await trx.selectFrom('coupons').select('seq').where('code', '=', code).executeTakeFirst();
    if (!taken) break;
    if (i >= MAX_CODE_TRIES) throw new Error(`no unused coupon code after ${MAX_CODE_TRIES} tries`);
    code = input.newCode();
  }
  return trx
    .insertInto('coupons')
    .values({
      code,
      company_id: input.companyId,
      member_id: input.memberId,
      reward_id: reward.id,
      reward_name: reward.name,
      discount_type: reward.discount_type,
      discount_value_hundredths: reward.discount_value_hundredths,
      maximum_discount_cents: reward.maximum_discount_cents,
      minimum_purchase_cents: reward.minimum_purchase_cents,
      kind: input.kind,
      points_spent: input.pointsSpent,
      redemption_method: input.method,
      status: 'active',
      valid_until: new Date(now.getTime() + Number(reward.validity_days) * DAY_MS).toISOString(),
      created_at: now.toISOString(),
      used_at: null,
      cancelled_at: null,
      order_value_cents: null,
      discount_applied_cents: null,
      platform: null,
      order_id: null,
      location: null,
      staff_member: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
