import { catchUpExpiry } from '../points/point-expiry.js';
import { getProgram } from '../program/program-store.js';
import type { AppContext } from '../shared/context.js';
import { findCustomer, toCustomerProfile, type CustomerProfile } from './customer-profile.js';

/** A customer's profile as of now: points expired since the last change are written down first. */
export async function readCustomer(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  companyId: string,
  memberId: string,
): Promise<CustomerProfile> {
  await catchUpExpiry(ctx, await getProgram(ctx.db, companyId), companyId, memberId);
  return toCustomerProfile(await findCustomer(ctx.db, companyId, memberId));
}
