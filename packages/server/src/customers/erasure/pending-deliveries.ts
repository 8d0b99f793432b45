import type { ErasureStep } from './erasure-step.js';
import { memberEventIds } from './erasure-step.js';

/**
 * `deliveries`: the member's deliveries still pending (waiting, held, or retrying) are cancelled
 * (`discarded`), so nothing personal leaves after the erasure. A delivery a worker holds right now
 * records its attempt only while it is still pending (delivery/record-attempt.ts, the stores), so
 * one that finishes after this commit cannot write the receiver's answer back.
 */
export const cancelPendingDeliveries: ErasureStep = {
  table: 'deliveries',
  async run(trx, subject) {
    await trx
      .updateTable('deliveries')
      .set({
        status: 'discarded',
        next_attempt_at: null,
        lease_expires_at: null,
        waits_for: null,
        updated_at: subject.now.toISOString(),
      })
      .where('status', '=', 'pending')
      .where('event_id', 'in', memberEventIds(trx, subject))
      .execute();
  },
};
