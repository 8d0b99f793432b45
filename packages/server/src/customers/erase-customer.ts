import { runInTransaction } from '../db/transaction.js';
import { customerDeletedPayload } from '../events/event-payloads.js';
import { recordEvent } from '../events/record-event.js';
import { apiTimestamp } from '../shared/timestamps.js';
import type { AppContext } from '../shared/context.js';
import { findCustomer } from './customer-profile.js';
import { deleteConsentHistory } from './erasure/consent-history.js';
import { tombstoneCustomer } from './erasure/customer-tombstone.js';
import { scrubDeliveryAttempts } from './erasure/delivery-attempts.js';
import type { ErasureStep } from './erasure/erasure-step.js';
import { scrubEventBodies } from './erasure/event-bodies.js';
import { deleteIdempotencyRecords } from './erasure/idempotency-records.js';
import { scrubLedgerReasons } from './erasure/ledger-reasons.js';
import { scrubPartnerInboxBodies } from './erasure/partner-inbox-bodies.js';
import { cancelPendingDeliveries } from './erasure/pending-deliveries.js';

/**
 * Every table that holds personal data about a member, and how an erasure scrubs it, in order. A
 * feature that adds such a table (coupons, orders, an inbox) adds its step here, before the
 * tombstone, and a section to the export (export-customer.ts); test/customer-erasure-api.test.ts
 * then scans the whole database for the person's data.
 */
export const ERASURE_STEPS: readonly ErasureStep[] = [
  cancelPendingDeliveries,
  scrubDeliveryAttempts,
  scrubEventBodies,
  deleteIdempotencyRecords,
  deleteConsentHistory,
  scrubLedgerReasons,
  scrubPartnerInboxBodies,
  tombstoneCustomer,
];

export interface ErasureResult {
  member_id: string;
  deleted_at: string;
}

/**
 * Erases a customer's personal data (LGPD): every step of `ERASURE_STEPS` and `customer.deleted` in
 * one transaction, so a crash leaves it done or not started. On SQLite the freed bytes are zeroed
 * (`secure_delete`, database.ts) and the WAL holding earlier page images is truncated afterwards.
 */
export async function eraseCustomer(
  ctx: AppContext,
  companyId: string,
  memberId: string,
  /** The steps to run (a test puts a failing one among them to see that nothing changes). */
  steps: readonly ErasureStep[] = ERASURE_STEPS,
): Promise<ErasureResult> {
  const now = ctx.clock();
  await runInTransaction(ctx.db, async (trx) => {
    const customer = await findCustomer(trx, companyId, memberId, true);
    const person = { whatsapp: customer.whatsapp, email: customer.email, cpf: customer.cpf };
    const subject = { companyId, memberId, now, person };
    for (const step of steps) await step.run(trx, subject);
    await recordEvent(trx, customerDeletedPayload(companyId, memberId, now), now);
  });
  await ctx.forgetOverwrittenData?.();
  return { member_id: memberId, deleted_at: apiTimestamp(now.toISOString()) };
}
