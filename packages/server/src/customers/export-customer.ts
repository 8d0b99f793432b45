import { runInTransaction } from '../db/transaction.js';
import type { AppContext } from '../shared/context.js';
import { apiTimestamp } from '../shared/timestamps.js';
import { findCustomer } from './customer-profile.js';
import { ordersSection } from './export/orders-section.js';
import { couponsSection } from './export/coupons-section.js';
import { consentSection } from './export/consent-section.js';
import { eventsSection } from './export/events-section.js';
import type { ExportSection } from './export/export-section.js';
import { ledgerSection } from './export/ledger-section.js';
import { profileSection } from './export/profile-section.js';

/**
 * What a customer's export holds, in order, one key each. Coupons and orders add their sections
 * here when they exist (after `events`), beside their erasure steps (erase-customer.ts).
 */
export const EXPORT_SECTIONS: readonly ExportSection[] = [
  profileSection,
  consentSection,
  ledgerSection,
  eventsSection,
  couponsSection,
  ordersSection,
];

/**
 * Everything Zupy holds about a customer, as one JSON document (LGPD's right of access and
 * portability): `{format, exported_at, company_id, member_id, …sections}`, read in one transaction
 * so the sections agree with each other.
 */
export async function exportCustomer(
  ctx: AppContext,
  companyId: string,
  memberId: string,
): Promise<Record<string, unknown>> {
  const now = ctx.clock();
  return runInTransaction(ctx.db, async (trx) => {
    const customer = await findCustomer(trx, companyId, memberId);
    const document: Record<string, unknown> = {
      format: 'zupy.customer-export.v1',
      exported_at: apiTimestamp(now.toISOString()),
      company_id: companyId,
      member_id: memberId,
    };
    const subject = { companyId, memberId, customer, now };
    for (const section of EXPORT_SECTIONS) document[section.key] = await section.read(trx, subject);
    return document;
  });
}
