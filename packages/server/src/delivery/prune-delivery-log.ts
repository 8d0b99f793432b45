import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { disabledEndpointIds } from './endpoint-counts.js';

export interface PruneResult {
  deliveries: number;
  attempts: number;
  events: number;
}

const BATCH = 2000;

/**
 * Deletes finished deliveries (succeeded, failed or discarded) last touched before `cutoff`, held
 * ones recorded before it, their attempts, and events older than `cutoff` that no delivery refers to
 * any more. Pending deliveries of enabled endpoints and their events are never touched. Works in
 * small batches so it never holds locks for long.
 */
export async function pruneDeliveryLog(db: Kysely<Tables>, cutoff: Date): Promise<PruneResult> {
  const before = cutoff.toISOString();
  const result: PruneResult = { deliveries: 0, attempts: 0, events: 0 };
  const finished = () =>
    db
      .selectFrom('deliveries')
      .select('id')
      .where('status', 'in', ['succeeded', 'failed', 'discarded'])
      .where('updated_at', '<', before)
      .limit(BATCH)
      .execute();
  // Held deliveries (pending, of a disabled endpoint) recorded before the cutoff: retention applies
  // to them like to everything else. An enabled endpoint's pending deliveries are never pruned.
  const heldTooLong = () =>
    db
      .selectFrom('deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('created_at', '<', before)
      .where('endpoint_id', 'in', disabledEndpointIds)
      .limit(BATCH)
      .execute();
  for (const batch of [finished, heldTooLong]) {
    for (;;) {
      const ids = (await batch()).map((r) => r.id);
      if (ids.length === 0) break;
      const attempts = await db
        .deleteFrom('delivery_attempts')
        .where('delivery_id', 'in', ids)
        .executeTakeFirst();
      const deliveries = await db.deleteFrom('deliveries').where('id', 'in', ids).executeTakeFirst();
      result.attempts += Number(attempts.numDeletedRows);
      result.deliveries += Number(deliveries.numDeletedRows);
    }
  }
  for (;;) {
    const ids = (await oldUnreferencedEvents(db, before).execute()).map((r) => r.id);
    if (ids.length === 0) break;
    const events = await db.deleteFrom('events').where('id', 'in', ids).executeTakeFirst();
    result.events += Number(events.numDeletedRows);
  }
  return result;
}

/**
 * A batch of events older than `before` that no delivery refers to. Each one's deliveries are found
 * through the `deliveries (event_id)` index (migration 0006), as is the foreign-key check when the
 * event is deleted: without it, both scanned the whole log for every event.
 */
export function oldUnreferencedEvents(db: Kysely<Tables>, before: string) {
  return db
    .selectFrom('events')
    .select('id')
    .where('created_at', '<', before)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('deliveries')
            .select('deliveries.event_id')
            .whereRef('deliveries.event_id', '=', 'events.id'),
        ),
      ),
    )
    .limit(BATCH);
}
