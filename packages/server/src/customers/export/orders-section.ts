import { fromCents } from '../../shared/money.js';
import { apiTimestamp } from '../../shared/timestamps.js';
import type { ExportSection } from './export-section.js';

/** `orders`: every order that earned the person points (counter, POS or a partner feed), oldest first. */
export const ordersSection: ExportSection = {
  key: 'orders',
  async read(db, subject) {
    const rows = await db
      .selectFrom('orders')
      .selectAll()
      .where('company_id', '=', subject.companyId)
      .where('member_id', '=', subject.memberId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map((r) => ({
      transaction_id: r.id,
      platform: r.platform,
      order_id: r.order_id,
      order_value: fromCents(Number(r.order_value_cents)),
      payment_method: r.payment_method,
      items: JSON.parse(r.items) as unknown,
      ordered_at: apiTimestamp(r.ordered_at),
      points_earned: Number(r.points_earned),
      created_at: apiTimestamp(r.created_at),
    }));
  },
};
