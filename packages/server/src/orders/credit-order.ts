import type { EarningPlatform } from '@zupy/webhooks';
import type { Kysely } from 'kysely';
import { companyTimeZone } from '../companies/company-settings.js';
import { applyTierUpgrade } from '../customers/apply-tier-upgrade.js';
import type { CustomerRow, Tables } from '../db/tables.js';
import { ZupyError } from '../errors.js';
import { applyDueExpiry } from '../points/point-expiry.js';
import { newTransactionId, recordPointsEarned } from '../points/points-earned.js';
import { computeEarning } from '../program/earning.js';
import { getProgram } from '../program/program-store.js';
import type { AppContext } from '../shared/context.js';

export interface OrderItem {
  name: string;
  category: string | null;
  quantity: number;
  unit_price_cents: number;
}

/** A checked order, money in centavos. */
export interface Order {
  platform: EarningPlatform;
  order_id: string;
  value_cents: number;
  payment_method: string | null;
  items: OrderItem[];
  ordered_at: Date;
}

/** `POST /customers/{member_id}/orders/`'s answer; the same order again answers it again. */
export interface OrderResult {
  transaction_id: string;
  points_earned: number;
  base_points: number;
  bonus_points: number;
  new_balance: number;
  tier: string;
  tier_upgraded: boolean;
}

export interface CreditedOrder {
  result: OrderResult;
  /** True when the order was credited before: nothing was credited now. */
  replayed: boolean;
}

/**
 * Credits an order to a customer inside the caller's transaction, once per `(platform, order_id)`:
 * the points its earning rules give, `total_spent` and `transaction_count`, a ledger entry and its
 * `points.earned`, then the tier re-evaluated (`tier.upgraded` after it). The same order again
 * returns the first result and changes nothing; the same order id for another member is a 409.
 * `customer` must have been read in this transaction, locked.
 */
export async function creditOrder(
  trx: Kysely<Tables>,
  ctx: Pick<AppContext, 'clock'>,
  found: CustomerRow,
  order: Order,
): Promise<CreditedOrder> {
  const companyId = found.company_id;
  const existing = await trx
    .selectFrom('orders')
    .select(['member_id', 'result'])
    .where('company_id', '=', companyId)
    .where('platform', '=', order.platform)
    .where('order_id', '=', order.order_id)
    .executeTakeFirst();
  if (existing) {
    if (existing.member_id !== found.member_id) {
      throw new ZupyError(
        'ZUPY_CONFLICT',
        `order ${order.order_id} of ${order.platform} was already credited to another member`,
        {
          fieldErrors: [
            {
              field: 'order_id',
              code: 'order_credited_elsewhere',
              detail: 'already credited to another member',
            },
          ],
        },
      );
    }
    return { result: JSON.parse(existing.result) as OrderResult, replayed: true };
  }

  const program = await getProgram(trx, companyId);
  // What expired since the last change is written first, so the new balance is right.
  const customer = await applyDueExpiry(trx, program, found, ctx.clock());
  const timeZone = await companyTimeZone(trx, companyId);
  const tier = program.tiers_enabled ? program.tiers.find((t) => t.name === customer.tier) : undefined;
  const earning = computeEarning(program.earning, tier, { ...order }, timeZone);
  const now = ctx.clock();
  const stamp = now.toISOString();
  const points = earning.points_earned;
  const before = Number(customer.points_balance);
  const after = before + points;
  const updated: CustomerRow = {
    ...customer,
    points_balance: after,
    points_earned: Number(customer.points_earned) + points,
    total_spent_cents: Number(customer.total_spent_cents) + order.value_cents,
    transaction_count: Number(customer.transaction_count) + 1,
    updated_at: stamp,
  };
  await trx
    .updateTable('customers')
    .set({
      points_balance: updated.points_balance,
      points_earned: updated.points_earned,
      total_spent_cents: updated.total_spent_cents,
      transaction_count: updated.transaction_count,
      updated_at: stamp,
    })
    .where('id', '=', customer.id)
    .execute();
  const transactionId = newTransactionId();
  // An order too small to earn a point still counts as a purchase; only a credit has an entry and an event.
  if (points > 0) {
    await trx
      .insertInto('ledger_entries')
      .values({
        company_id: companyId,
        member_id: customer.member_id,
        operation: 'order',
        amount: points,
        balance_before: before,
        balance_after: after,
        reason: `order ${order.order_id} (${order.platform})`,
        order_value_cents: order.value_cents,
        created_at: stamp,
        transaction_id: transactionId,
      })
      .execute();
    await recordPointsEarned(
      trx,
      program,
      updated,
      {
        transaction_id: transactionId,
        order_id: order.order_id,
        order_value_cents: order.value_cents,
        platform: order.platform,
        points_earned: points,
        base_points: earning.base_points,
        bonus_points: earning.bonus_points,
        new_balance: after,
        items_count: order.items.reduce((sum, item) => sum + item.quantity, 0),
        payment_method: order.payment_method,
        bonuses: earning.bonuses,
      },
      now,
    );
  }
  const upgrade = await applyTierUpgrade(trx, program, updated, now);
  const result: OrderResult = {
    transaction_id: transactionId,
    points_earned: points,
    base_points: earning.base_points,
    bonus_points: earning.bonus_points,
    new_balance: after,
    tier: upgrade?.new_tier ?? customer.tier,
    tier_upgraded: upgrade !== null,
  };
  await trx
    .insertInto('orders')
    .values({
      id: transactionId,
      company_id: companyId,
      member_id: customer.member_id,
      platform: order.platform,
      order_id: order.order_id,
      order_value_cents: order.value_cents,
      payment_method: order.payment_method,
      items: JSON.stringify(order.items),
      ordered_at: order.ordered_at.toISOString(),
      points_earned: points,
      result: JSON.stringify(result),
      created_at: stamp,
    })
    .execute();
  return { result, replayed: false };
}
