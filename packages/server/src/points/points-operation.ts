import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../db/constraint-error.js';
import type { Tables } from '../db/tables.js';
import { ZupyError, notFound } from '../errors.js';
import { applyTierUpgrade } from '../customers/apply-tier-upgrade.js';
import { preparedQuery } from '../db/prepared-query.js';
import { lockForUpdate } from '../db/row-locks.js';
import { programFrom } from '../program/program-store.js';
import type { AppContext } from '../shared/context.js';
import { toCents } from '../shared/money.js';
import { apiTimestamp } from '../shared/timestamps.js';
import { requestFingerprint, withIdempotency } from './idempotency.js';
import { newTransactionId, recordPointsEarned } from './points-earned.js';
import { applyDueExpiry } from './point-expiry.js';
import { runInTransaction } from '../db/transaction.js';

export interface AddPointsInput {
  amount: number;
  reason?: string | undefined;
  /** The purchase this credit is for, in BRL: feeds total_spent and transaction_count. */
  order_value?: number | undefined;
}

export interface SpendPointsInput {
  amount: number;
  reason?: string | undefined;
}

export interface PointsOperationResult {
  customer_id: string;
  operation: 'add' | 'spend';
  amount: number;
  balance_before: number;
  balance_after: number;
  tier: string;
  tier_upgraded: boolean;
  created_at: string;
}

type Operation = (
  { operation: 'add'; input: AddPointsInput } | { operation: 'spend'; input: SpendPointsInput }
) & {
  /** The ledger's name for it when not `add` / `spend`: a coupon's `redeem` debit or `refund` credit. */
  ledgerOperation?: CouponLedgerOperation;
};

/** The customer, locked for the update (PostgreSQL), and the company's stored program: one statement. */
const customerAndProgram = preparedQuery((db, arg: { companyId: string; memberId: string }) =>
  lockForUpdate(
    db
      .selectFrom('customers')
      .selectAll()
      .select((eb) =>
        eb
          .selectFrom('loyalty_programs')
          .select('program')
          .where('company_id', '=', arg.companyId)
          .as('stored_program'),
      )
      .where('member_id', '=', arg.memberId)
      .where('company_id', '=', arg.companyId)
      .where('erased_at', 'is', null),
    db,
  ),
);

const updateBalances = preparedQuery(
  (
    db,
    arg: {
      id: number;
      points_balance: number;
      points_earned: number;
      points_spent: number;
      total_spent_cents: number;
      transaction_count: number;
      /** 1 when the operation records a customer event (its number in the member's sequence). */
      events: number;
      updated_at: string;
    },
  ) =>
    db
      .updateTable('customers')
      .set((eb) => ({
        points_balance: arg.points_balance,
        points_earned: arg.points_earned,
        points_spent: arg.points_spent,
        total_spent_cents: arg.total_spent_cents,
        transaction_count: arg.transaction_count,
        events_recorded: eb('events_recorded', '+', arg.events),
        updated_at: arg.updated_at,
      }))
      .where('id', '=', arg.id)
      .returning('events_recorded'),
);

async function applyOperation(
  trx: Kysely<Tables>,
  ctx: AppContext,
  companyId: string,
  memberId: string,
  op: Operation,
): Promise<PointsOperationResult> {
  const now = ctx.clock();
  const [found] = await customerAndProgram.run(trx, { companyId, memberId });
  if (found === undefined) throw notFound(`customer ${memberId}`);
  const { stored_program, ...row } = found;
  const program = programFrom(stored_program);
  // What expired since the last change goes first: a debit never takes an expired point.
  const customer = await applyDueExpiry(trx, program, row, now);
  const stamp = now.toISOString();
  const amount = op.input.amount;
  const before = Number(customer.points_balance);
  if (op.operation === 'spend' && before < amount) {
    throw new ZupyError('ZUPY_INSUFFICIENT_BALANCE', `balance is ${before} points, ${amount} requested`, {
      fieldErrors: [
        {
          field: 'amount',
          code: 'exceeds_balance',
          detail: `exceeds the balance of ${before} points`,
          params: { balance: before },
        },
      ],
    });
  }
  const after = op.operation === 'add' ? before + amount : before - amount;
  // A refund gives back points spent: it undoes the spending instead of counting as points earned.
  const refund = op.ledgerOperation === 'refund';
  const orderCents =
    op.operation === 'add' && op.input.order_value !== undefined ? toCents(op.input.order_value) : null;
  const updated = {
    ...customer,
    points_balance: after,
    points_earned: Number(customer.points_earned) + (op.operation === 'add' && !refund ? amount : 0),
    points_spent: Number(customer.points_spent) + (op.operation === 'spend' ? amount : refund ? -amount : 0),
    total_spent_cents: Number(customer.total_spent_cents) + (orderCents ?? 0),
    transaction_count: Number(customer.transaction_count) + (orderCents !== null ? 1 : 0),
    updated_at: stamp,
  };
  // A credit of earned points gets its transaction and its points.earned; a refund is no earning.
  const transactionId = op.operation === 'add' && !refund ? newTransactionId() : null;
  // The update counts the points.earned in the member's sequence too (record-event.ts).
  const [counted] = await updateBalances.run(trx, {
    id: customer.id,
    points_balance: updated.points_balance,
    points_earned: updated.points_earned,
    points_spent: updated.points_spent,
    total_spent_cents: updated.total_spent_cents,
    transaction_count: updated.transaction_count,
    events: transactionId !== null ? 1 : 0,
    updated_at: stamp,
  });
  await trx
    .insertInto('ledger_entries')
    .values({
      company_id: companyId,
      member_id: memberId,
      operation: op.ledgerOperation ?? op.operation,
      amount,
      balance_before: before,
      balance_after: after,
      reason: op.input.reason ?? null,
      order_value_cents: orderCents,
      created_at: stamp,
      transaction_id: transactionId,
    })
    .execute();
  if (transactionId !== null) {
    // A manual credit: the integrator computed the points, so no bonus and no multiplier.
    await recordPointsEarned(
      trx,
      program,
      updated,
      {
        transaction_id: transactionId,
        order_id: null,
        order_value_cents: null,
        platform: 'manual',
        points_earned: amount,
        base_points: amount,
        bonus_points: 0,
        new_balance: after,
        items_count: 0,
        payment_method: null,
        bonuses: [],
      },
      now,
      counted !== undefined ? Number(counted.events_recorded) : undefined,
    );
  }
  const upgrade = await applyTierUpgrade(trx, program, updated, now);
  return {
    customer_id: memberId,
    operation: op.operation,
    amount,
    balance_before: before,
    balance_after: after,
    tier: upgrade?.new_tier ?? customer.tier,
    tier_upgraded: upgrade !== null,
    created_at: apiTimestamp(stamp),
  };
}

async function runOperation(
  ctx: AppContext,
  companyId: string,
  memberId: string,
  op: Operation,
  idempotencyKey: string | undefined,
): Promise<PointsOperationResult> {
  const fingerprint = requestFingerprint([op.operation, memberId, op.input]);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await runInTransaction(ctx.db, (trx) =>
        withIdempotency(
          trx,
          {
            companyId,
            memberId,
            operation: op.operation,
            key: idempotencyKey,
            fingerprint,
            now: ctx.clock(),
          },
          () => applyOperation(trx, ctx, companyId, memberId, op),
        ),
      );
      return result;
    } catch (error) {
      // Two requests with one new key raced: the loser runs again and replays the winner's answer.
      if (!isUniqueViolation(error) || attempt >= 2) throw error;
    }
  }
}

/** Credits points; re-evaluates the tier (one `tier.upgraded` for any jump). */
export function addPoints(
  ctx: AppContext,
  companyId: string,
  memberId: string,
  input: AddPointsInput,
  idempotencyKey?: string,
): Promise<PointsOperationResult> {
  return runOperation(ctx, companyId, memberId, { operation: 'add', input }, idempotencyKey);
}

/** Debits points; 422 `insufficient-balance` when short. Spending never lowers the tier. */
export function spendPoints(
  ctx: AppContext,
  companyId: string,
  memberId: string,
  input: SpendPointsInput,
  idempotencyKey?: string,
): Promise<PointsOperationResult> {
  return runOperation(ctx, companyId, memberId, { operation: 'spend', input }, idempotencyKey);
}

export type CouponLedgerOperation = 'redeem' | 'refund';

/**
 * A coupon's ledger entry, inside the caller's transaction: `redeem` debits the reward's points
 * (422 `insufficient-balance`, naming `field`, when short; the tier never drops), `refund` gives back
 * a cancelled coupon's points (and re-evaluates the tier, like any credit).
 */
export function postCouponLedgerEntry(
  trx: Kysely<Tables>,
  ctx: AppContext,
  companyId: string,
  memberId: string,
  entry: { operation: CouponLedgerOperation; amount: number; reason: string; field?: string },
): Promise<PointsOperationResult> {
  const input = { amount: entry.amount, reason: entry.reason };
  const op: Operation =
    entry.operation === 'redeem'
      ? { operation: 'spend', input, ledgerOperation: 'redeem' }
      : { operation: 'add', input, ledgerOperation: 'refund' };
  return applyOperation(trx, ctx, companyId, memberId, op).catch((error: unknown) => {
    if (error instanceof ZupyError && error.code === 'ZUPY_INSUFFICIENT_BALANCE' && entry.field) {
      throw new ZupyError('ZUPY_INSUFFICIENT_BALANCE', error.message, {
        fieldErrors: error.fieldErrors.map((e) => ({ ...e, field: entry.field ?? e.field })),
      });
    }
    throw error;
  });
}
