import { sql, type Kysely } from 'kysely';
import { WAITING_FOR_PREDECESSOR, type Tables } from '../db/tables.js';

/**
 * Per-member order (docs/webhooks.md "Order"): for an endpoint ordered by member, a delivery recorded
 * while the member's previous delivery to that endpoint is pending waits for it (`waits_for`, with a
 * `next_attempt_at` no claim reaches: events/record-event.ts). When that one ends — succeeded, failed
 * for good — the next is due at once. Claims never look at waiting deliveries, so ordering costs one
 * index probe when an event is recorded and one statement when a delivery that has a successor ends.
 */

/** Makes the deliveries that wait for the ended ones (by `seq`) due now. */
export async function releaseSuccessors(
  trx: Kysely<Tables>,
  endedSeqs: readonly number[],
  now: Date,
): Promise<void> {
  if (endedSeqs.length === 0) return;
  const stamp = now.toISOString();
  await trx
    .updateTable('deliveries')
    .set({ next_attempt_at: stamp, waits_for: null, updated_at: stamp })
    .where('waits_for', 'in', [...endedSeqs])
    .where('status', '=', 'pending')
    .execute();
}

/**
 * Releases every waiting delivery whose predecessor is no longer pending (ended, discarded, pruned).
 * The release normally happens when the predecessor ends; this repairs what a power loss took from
 * the worker's unsynced bookkeeping. Walks the small index of waiting deliveries only; run by the
 * worker when it starts and then now and again.
 */
export async function releaseOrphanedWaits(db: Kysely<Tables>, now: Date): Promise<number> {
  const stamp = now.toISOString();
  const result = await db
    .updateTable('deliveries')
    .set({ next_attempt_at: stamp, waits_for: null, updated_at: stamp })
    .where('waits_for', 'is not', null)
    .where('status', '=', 'pending')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('deliveries as p')
            .select(sql.lit(1).as('one'))
            .whereRef('p.seq', '=', 'deliveries.waits_for')
            .where('p.status', '=', 'pending'),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Stops ordering an endpoint's deliveries (`ordering: "none"`): whatever waited is due now. */
export async function releaseAllWaiting(trx: Kysely<Tables>, endpointId: string, now: Date): Promise<void> {
  const stamp = now.toISOString();
  await trx
    .updateTable('deliveries')
    .set({ next_attempt_at: stamp, waits_for: null, member_id: null, updated_at: stamp })
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '=', WAITING_FOR_PREDECESSOR)
    .execute();
}
