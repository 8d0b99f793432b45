import type { DiscountType } from '@zupy/webhooks';
import type { Kysely } from 'kysely';
import { lockForUpdate } from '../db/row-locks.js';
import type { RewardRow, RewardsTable, Tables } from '../db/tables.js';
import { runInTransaction } from '../db/transaction.js';
import { ZupyError, notFound, type FieldError } from '../errors.js';
import type { AppContext } from '../shared/context.js';
import { toCents } from '../shared/money.js';
import { newId } from '../shared/random-chars.js';
import { toReward, type Reward } from './reward.js';

export interface RewardInput {
  name: string;
  description?: string | null | undefined;
  points_required: number;
  discount_type: DiscountType;
  discount_value?: number | undefined;
  maximum_discount?: number | null | undefined;
  minimum_purchase?: number | null | undefined;
  validity_days: number;
  terms?: string | null | undefined;
  active?: boolean | undefined;
  stock?: number | null | undefined;
}

export type RewardChanges = Partial<RewardInput>;

type RewardColumns = Omit<RewardsTable, 'seq' | 'id' | 'company_id' | 'created_at' | 'updated_at'>;

const orNull = (brl: number | null | undefined): number | null =>
  brl === null || brl === undefined ? null : toCents(brl);

/** The discount rules must make sense together: a percentage up to 100, a fixed amount above 0. */
function checkDiscount(columns: RewardColumns): void {
  const errors: FieldError[] = [];
  const value = Number(columns.discount_value_hundredths);
  switch (columns.discount_type as DiscountType) {
    case 'percentage':
      if (value <= 0 || value > 100_00)
        errors.push({
          field: 'discount_value',
          code: 'percentage_out_of_range',
          detail: 'must be a percentage above 0 and at most 100',
        });
      break;
    case 'fixed_amount':
      if (value <= 0)
        errors.push({
          field: 'discount_value',
          code: 'amount_not_positive',
          detail: 'must be an amount in BRL above 0',
        });
      if (columns.maximum_discount_cents !== null)
        errors.push({
          field: 'maximum_discount',
          code: 'not_applicable',
          detail: 'applies to percentage, product_free and buy_one_get_one only',
        });
      break;
    case 'product_free':
    case 'buy_one_get_one':
      if (value !== 0)
        errors.push({
          field: 'discount_value',
          code: 'must_be_zero',
          params: { type: columns.discount_type },
          detail: `must be 0 for ${columns.discount_type}: the items give the discount`,
        });
      break;
  }
  if (errors.length > 0) {
    throw new ZupyError('ZUPY_VALIDATION_FAILED', errors.map((e) => `${e.field} ${e.detail}`).join('; '), {
      fieldErrors: errors,
    });
  }
}

function columnsOf(input: RewardInput): RewardColumns {
  return {
    name: input.name,
    description: input.description ?? null,
    points_required: input.points_required,
    discount_type: input.discount_type,
    discount_value_hundredths: toCents(input.discount_value ?? 0),
    maximum_discount_cents: orNull(input.maximum_discount),
    minimum_purchase_cents: orNull(input.minimum_purchase),
    validity_days: input.validity_days,
    terms: input.terms ?? null,
    active: input.active === false ? 0 : 1,
    stock: input.stock ?? null,
  };
}

/** A reward of this company; another company's is as unknown as a missing one (404). */
export async function findReward(
  db: Kysely<Tables>,
  companyId: string,
  rewardId: string,
  /** In a transaction that changes it: hold the row until the commit (PostgreSQL). */
  lock = false,
): Promise<RewardRow> {
  const query = db
    .selectFrom('rewards')
    .selectAll()
    .where('id', '=', rewardId)
    .where('company_id', '=', companyId);
  const row = await (lock ? lockForUpdate(query, db) : query).executeTakeFirst();
  if (!row) throw notFound(`reward ${rewardId}`);
  return row;
}

export async function createReward(ctx: AppContext, companyId: string, input: RewardInput): Promise<Reward> {
  const columns = columnsOf(input);
  checkDiscount(columns);
  const stamp = ctx.clock().toISOString();
  // In a transaction of its own: the request's audit entry is written in it (audit/audit-scope.ts),
  // with the reward's id as its target (the value returned).
  const row = await runInTransaction(ctx.db, (trx) =>
    trx
      .insertInto('rewards')
      .values({ id: newId('rwd'), company_id: companyId, ...columns, created_at: stamp, updated_at: stamp })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toReward(row);
}

export async function getReward(ctx: AppContext, companyId: string, rewardId: string): Promise<Reward> {
  return toReward(await findReward(ctx.db, companyId, rewardId));
}

/**
 * Changes a reward: any field, `active: false` to archive it (it leaves the catalog, its coupons stay
 * valid) and `stock` to restock. Coupons already issued keep the rules they were redeemed with. The
 * row is read and written in one transaction holding it: two PATCHes of different fields at once
 * both take effect (neither writes back the other's old value).
 */
export async function updateReward(
  ctx: AppContext,
  companyId: string,
  rewardId: string,
  changes: RewardChanges,
): Promise<Reward> {
  return runInTransaction(ctx.db, async (trx) => {
    const current = toReward(await findReward(trx, companyId, rewardId, true));
    const merged: RewardInput = { ...current, ...changes };
    const columns = columnsOf(merged);
    checkDiscount(columns);
    const stamp = ctx.clock().toISOString();
    // `stock` is written only when asked: a redemption racing this update keeps its decrement.
    const { stock, ...rest } = columns;
    const row = await trx
      .updateTable('rewards')
      .set({ ...rest, ...('stock' in changes ? { stock } : {}), updated_at: stamp })
      .where('id', '=', rewardId)
      .where('company_id', '=', companyId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toReward(row);
  });
}
