import type { TierName } from '@zupy/webhooks';
import type { Kysely } from 'kysely';
import { customerMetrics } from '../customers/customer-profile.js';
import type { CustomerRow, Tables } from '../db/tables.js';
import { pointsEarnedPayload, type EarnedCredit } from '../events/event-payloads.js';
import { recordEvent } from '../events/record-event.js';
import { decideTierUpgrade, metricValue, nextTierProgress } from '../program/evaluate-tier.js';
import type { Program } from '../program/program.js';
import { newId } from '../shared/random-chars.js';

/** A new credit's transaction id, `txn_…`: the ledger entry's and its `points.earned`'s. */
export function newTransactionId(): string {
  return newId('txn');
}

/**
 * Records `points.earned` for a credit just applied to `customer` (its row after the credit),
 * inside the credit's transaction and before the tier is re-evaluated: the `tier.upgraded` the credit
 * causes, if any, comes after it. The body carries the tier the customer is about to have.
 */
export async function recordPointsEarned(
  trx: Kysely<Tables>,
  program: Program,
  customer: CustomerRow,
  credit: EarnedCredit,
  now: Date,
  /** The event's number in the member's sequence, when the credit's update counted it already. */
  memberSeq?: number,
): Promise<void> {
  const metrics = customerMetrics(customer);
  const tier =
    decideTierUpgrade(program, customer.tier as TierName, metrics)?.new_tier ?? (customer.tier as TierName);
  const next = nextTierProgress(program, tier, metricValue(metrics, program.qualification_metric));
  await recordEvent(
    trx,
    pointsEarnedPayload(customer, tier, credit, next, now),
    now,
    memberSeq !== undefined ? { memberSeq } : {},
  );
}
