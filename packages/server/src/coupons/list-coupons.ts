import { findCustomer } from '../customers/customer-profile.js';
import { toPage, type ListSource, type Page } from '../shared/cursor.js';
import { toCoupon, type Coupon, type CouponStatus } from './coupon.js';

export interface ListCouponsQuery {
  status?: CouponStatus | undefined;
  customer_id?: string | undefined;
  code?: string | undefined;
  cursor?: string | undefined;
  pageSize: number;
}

/**
 * The company's coupons, newest first. `expired` is computed from `valid_until` at `now`, so the
 * `active` and `expired` filters split the stored `active` coupons at this moment.
 */
export async function listCoupons(
  source: ListSource,
  companyId: string,
  query: ListCouponsQuery,
  now: Date,
): Promise<Page<Coupon>> {
  const before = source.cursors.decode(companyId, query.cursor);
  const stamp = now.toISOString();
  let q = source.db
    .selectFrom('coupons')
    .selectAll()
    .where('company_id', '=', companyId)
    .orderBy('seq', 'desc')
    .limit(query.pageSize + 1);
  if (before !== undefined) q = q.where('seq', '<', before);
  if (query.customer_id !== undefined) {
    const customer = await findCustomer(source.db, companyId, query.customer_id.toUpperCase());
    q = q.where('member_id', '=', customer.member_id);
  }
  if (query.code !== undefined) q = q.where('code', '=', query.code.toUpperCase());
  switch (query.status) {
    case undefined:
      break;
    case 'active':
      q = q.where('status', '=', 'active').where('valid_until', '>', stamp);
      break;
    case 'expired':
      q = q.where('status', '=', 'active').where('valid_until', '<=', stamp);
      break;
    case 'used':
    case 'cancelled':
      q = q.where('status', '=', query.status);
      break;
  }
  const rows = await q.execute();
  return toPage(
    rows,
    query.pageSize,
    (r) => Number(r.seq),
    (r) => toCoupon(r, now),
    {
      cursors: source.cursors,
      companyId,
    },
  );
}
