import { sql, type Kysely } from 'kysely';
import { findCustomer } from '../customers/customer-profile.js';
import type { CustomerRow, Tables } from '../db/tables.js';
import { runInTransaction } from '../db/transaction.js';
import type { Program } from '../program/program.js';
import type { AppContext } from '../shared/context.js';

/**
 * Point expiry, first in, first out, without a sweep.
 *
 * Every entry of the ledger that raised the balance is a lot of points (an order, a credit, the
 * welcome points, a refund: told apart by the sign of balance_after − balance_before, never by the
 * operation's name), and every entry that lowered it (a spend, a redemption, an expiry) takes from
 * the oldest lots first. The points taken so far are therefore always the first `debits` points of
 * the lots in the order they were credited, whatever the timing, so what is left of the lots credited
 * up to a moment is `max(0, credits up to then − all debits)`. Lots older than
 * `point_expiration_days` expire: that amount, at this instant, is due to expire (`expiredPoints`).
 *
 * Nothing has to run on time for this to be right: every change to a member first writes what is
 * due as an `expire` entry (`applyDueExpiry`, inside its transaction, so a spend never takes an
 * expired point), reads of one member do the same (`catchUpExpiry`), and lists subtract what is due
 * (`pendingExpiries`). An expiry never lowers the tier: tiers only go up.
 */

const DAY_MS = 86_400_000;

/** Points that have expired and are not yet written down: the pure core of the rule above. */
export function expiredPoints(creditsUpToCutoff: number, debits: number): number {
  return Math.max(0, creditsUpToCutoff - debits);
}

/** Lots credited at or before this instant have expired; null when points never expire. */
export function expiryCutoff(program: Program, now: Date): Date | null {
  if (program.point_expiration_days <= 0) return null;
  return new Date(now.getTime() - program.point_expiration_days * DAY_MS);
}

function sums(db: Kysely<Tables>, companyId: string, cutoff: Date) {
  const stamp = cutoff.toISOString();
  return db
    .selectFrom('ledger_entries')
    .select([
      'member_id',
      sql<
        string | number | null
      >`sum(case when balance_after > balance_before and created_at <= ${stamp} then balance_after - balance_before else 0 end)`.as(
        'old_credits',
      ),
      sql<
        string | number | null
      >`sum(case when balance_after < balance_before then balance_before - balance_after else 0 end)`.as(
        'debits',
      ),
    ])
    .where('company_id', '=', companyId)
    .groupBy('member_id');
}

/** What is due to expire for each of these members now (members with nothing due are left out). */
export async function pendingExpiries(
  db: Kysely<Tables>,
  program: Program,
  companyId: string,
  memberIds: readonly string[],
  now: Date,
): Promise<Map<string, number>> {
  const cutoff = expiryCutoff(program, now);
  const due = new Map<string, number>();
  if (cutoff === null || memberIds.length === 0) return due;
  const rows = await sums(db, companyId, cutoff)
    .where('member_id', 'in', [...memberIds])
    .execute();
  for (const row of rows) {
    const points = expiredPoints(Number(row.old_credits ?? 0), Number(row.debits ?? 0));
    if (points > 0) due.set(row.member_id, points);
  }
  return due;
}

/**
 * Writes what is due to expire as an `expire` entry and lowers the balance, inside the caller's
 * transaction, before it changes the member. Returns the member's row after it.
 */
export async function applyDueExpiry(
  trx: Kysely<Tables>,
  program: Program,
  customer: CustomerRow,
  now: Date,
): Promise<CustomerRow> {
  const due = (await pendingExpiries(trx, program, customer.company_id, [customer.member_id], now)).get(
    customer.member_id,
  );
  if (due === undefined) return customer;
  const before = Number(customer.points_balance);
  // The balance is the lots not yet taken, so it always covers what is due; the guard is for rows
  // an older version left inconsistent.
  const amount = Math.min(due, before);
  if (amount <= 0) return customer;
  const stamp = now.toISOString();
  await trx
    .updateTable('customers')
    .set({ points_balance: before - amount, updated_at: stamp })
    .where('id', '=', customer.id)
    .execute();
  await trx
    .insertInto('ledger_entries')
    .values({
      company_id: customer.company_id,
      member_id: customer.member_id,
      operation: 'expire',
      amount,
      balance_before: before,
      balance_after: before - amount,
      reason: `points older than ${program.point_expiration_days} days`,
      order_value_cents: null,
      created_at: stamp,
    })
    .execute();
  return { ...customer, points_balance: before - amount, updated_at: stamp };
}

/**
 * For a read of one member (profile, history): writes down what expired since the last change, so
 * the answer shows it. Does nothing (no write) when nothing is due.
 */
export async function catchUpExpiry(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  program: Program,
  companyId: string,
  memberId: string,
): Promise<void> {
  if (expiryCutoff(program, ctx.clock()) === null) return;
  const due = await pendingExpiries(ctx.db, program, companyId, [memberId], ctx.clock());
  if (!due.has(memberId)) return;
  await runInTransaction(ctx.db, async (trx) => {
    const customer = await findCustomer(trx, companyId, memberId, true);
    await applyDueExpiry(trx, program, customer, ctx.clock());
  });
}
