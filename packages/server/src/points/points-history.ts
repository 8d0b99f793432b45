import { fromCents } from '../shared/money.js';
import { findCustomer } from '../customers/customer-profile.js';
import { toPage, type ListSource, type Page } from '../shared/cursor.js';
import { apiTimestamp } from '../shared/timestamps.js';
import type { Clock } from '../shared/clock.js';
import { getProgram } from '../program/program-store.js';
import { catchUpExpiry } from './point-expiry.js';

export interface LedgerEntryView {
  id: number;
  operation: string;
  amount: number;
  balance_before: number;
  balance_after: number;
  reason: string | null;
  order_value: number | null;
  created_at: string;
}

/** A customer's ledger, newest first: welcome, add, order, spend, expire (and the rewards' operations). */
export async function pointsHistory(
  source: ListSource & { clock: Clock },
  companyId: string,
  memberId: string,
  query: { cursor?: string | undefined; pageSize: number },
): Promise<Page<LedgerEntryView>> {
  await findCustomer(source.db, companyId, memberId);
  // What expired since the last change appears as its `expire` entry.
  await catchUpExpiry(source, await getProgram(source.db, companyId), companyId, memberId);
  const before = source.cursors.decode(companyId, query.cursor);
  let q = source.db
    .selectFrom('ledger_entries')
    .selectAll()
    .where('member_id', '=', memberId)
    .where('company_id', '=', companyId)
    .orderBy('id', 'desc')
    .limit(query.pageSize + 1);
  if (before !== undefined) q = q.where('id', '<', before);
  const rows = await q.execute();
  return toPage(
    rows,
    query.pageSize,
    (r) => Number(r.id),
    (r) => ({
      id: Number(r.id),
      operation: r.operation,
      amount: Number(r.amount),
      balance_before: Number(r.balance_before),
      balance_after: Number(r.balance_after),
      reason: r.reason,
      order_value: r.order_value_cents === null ? null : fromCents(r.order_value_cents),
      created_at: apiTimestamp(r.created_at),
    }),
    { cursors: source.cursors, companyId },
  );
}
