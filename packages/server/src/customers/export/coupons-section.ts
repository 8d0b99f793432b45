import { toCoupon } from '../../coupons/coupon.js';
import type { ExportSection } from './export-section.js';

/** `coupons`: every coupon the person was issued (redeemed or welcome), oldest first, as the API shows them. */
export const couponsSection: ExportSection = {
  key: 'coupons',
  async read(db, subject) {
    const rows = await db
      .selectFrom('coupons')
      .selectAll()
      .where('company_id', '=', subject.companyId)
      .where('member_id', '=', subject.memberId)
      .orderBy('created_at', 'asc')
      .orderBy('code', 'asc')
      .execute();
    return rows.map((row) => toCoupon(row, subject.now));
  },
};
