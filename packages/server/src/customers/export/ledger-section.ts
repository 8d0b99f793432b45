import { fromCents } from '../../shared/money.js';
import { apiTimestamp } from '../../shared/timestamps.js';
import type { ExportSection } from './export-section.js';

/** `ledger`: every points entry, oldest first, as `GET …/points/history/` shows them. */
export const ledgerSection: ExportSection = {
  key: 'ledger',
  async read(db, subject) {
    const rows = await db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('company_id', '=', subject.companyId)
      .where('member_id', '=', subject.memberId)
      .orderBy('id', 'asc')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      operation: r.operation,
      amount: Number(r.amount),
      balance_before: Number(r.balance_before),
      balance_after: Number(r.balance_after),
      reason: r.reason,
      order_value: r.order_value_cents === null ? null : fromCents(r.order_value_cents),
      created_at: apiTimestamp(r.created_at),
    }));
  },
};
