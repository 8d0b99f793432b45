import { findCustomer } from '../customers/customer-profile.js';
import { invalidField } from '../errors.js';
import { toPage, type ListSource, type Page } from '../shared/cursor.js';
import { toReward, type Reward } from './reward.js';

export interface ListRewardsQuery {
  active?: boolean | undefined;
  /** With `redeemable: true`: only what this member can redeem now (active, in stock, affordable). */
  customer_id?: string | undefined;
  redeemable?: boolean | undefined;
  cursor?: string | undefined;
  pageSize: number;
}

/** The company's rewards, newest first. */
export async function listRewards(
  source: ListSource,
  companyId: string,
  query: ListRewardsQuery,
): Promise<Page<Reward>> {
  const before = source.cursors.decode(companyId, query.cursor);
  let q = source.db
    .selectFrom('rewards')
    .selectAll()
    .where('company_id', '=', companyId)
    .orderBy('seq', 'desc')
    .limit(query.pageSize + 1);
  if (before !== undefined) q = q.where('seq', '<', before);
  if (query.active !== undefined) q = q.where('active', '=', query.active ? 1 : 0);
  if (query.redeemable !== undefined && query.customer_id === undefined) {
    throw invalidField(
      'customer_id',
      'required',
      'is required with redeemable: whose balance to compare with',
      {
        with: 'redeemable',
      },
    );
  }
  if (query.customer_id !== undefined) {
    const customer = await findCustomer(source.db, companyId, query.customer_id.toUpperCase());
    if (query.redeemable === true) {
      q = q
        .where('active', '=', 1)
        .where('points_required', '<=', Number(customer.points_balance))
        .where((eb) => eb.or([eb('stock', 'is', null), eb('stock', '>', 0)]));
    }
  }
  const rows = await q.execute();
  return toPage(rows, query.pageSize, (r) => Number(r.seq), toReward, { cursors: source.cursors, companyId });
}
