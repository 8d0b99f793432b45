import type { Kysely } from 'kysely';
import type { DialectName } from '../db/dialect.js';
import { lockSkippingLocked } from '../db/row-locks.js';
import type { DeliveryRow, Tables } from '../db/tables.js';
import { runWithoutWaitingForDisk } from '../db/transaction.js';

export interface ClaimOptions {
  dialect: DialectName;
  now: Date;
  limit: number;
  leaseUntil: Date;
  /** Room left per endpoint under the in-flight cap; endpoints without room are not queried. */
  roomFor: (endpointId: string) => number;
}

/**
 * Claims due deliveries under a lease. The UPDATE re-checks that each row is still pending and
 * unleased, so two workers can never hold one delivery, on SQLite or PostgreSQL, whatever their
 * timing; a worker that dies leaves a lease that expires, and the delivery is claimed again.
 */
export async function claimDeliveries(db: Kysely<Tables>, options: ClaimOptions): Promise<DeliveryRow[]> {
  const endpoints = (
    await db.selectFrom('webhook_endpoints').select('id').where('enabled', '=', 1).execute()
  ).filter((e) => options.roomFor(e.id) > 0);
  // Every endpoint may be at its cap: then there is nothing to claim, and no transaction.
  if (endpoints.length === 0) return [];
  // On PostgreSQL the candidates are locked (SKIP LOCKED) until the update commits, so concurrent
  // workers take disjoint rows instead of queueing on the same ones. A lease lost to a power loss
  // only means the delivery can be claimed again: the commit need not wait for the disk.
  return runWithoutWaitingForDisk(db, options.dialect, (trx) =>
    claimWith(
      trx,
      options,
      endpoints.map((e) => e.id),
    ),
  );
}

async function claimWith(
  db: Kysely<Tables>,
  options: ClaimOptions,
  endpointIds: readonly string[],
): Promise<DeliveryRow[]> {
  const now = options.now.toISOString();
  // Endpoint by endpoint, through the (endpoint_id, status, next_attempt_at) index: a saturated or dead
  // endpoint's backlog is never scanned, so claiming costs the same with 10 or 10 million pending.
  // Start at a different endpoint each time, so none is always served last.
  const offset = claimRound++ % endpointIds.length;
  const chosen: string[] = [];
  for (let i = 0; i < endpointIds.length && chosen.length < options.limit; i++) {
    const endpointId = endpointIds[(i + offset) % endpointIds.length]!;
    const room = Math.min(options.roomFor(endpointId), options.limit - chosen.length);
    if (room <= 0) continue;
    const due = db
      .selectFrom('deliveries')
      .select('id')
      .where('endpoint_id', '=', endpointId)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
      .orderBy('next_attempt_at')
      .limit(room);
    const rows = await lockSkippingLocked(due, options.dialect, 'deliveries').execute();
    for (const row of rows) chosen.push(row.id);
  }
  if (chosen.length === 0) return [];
  return (
    db
      .updateTable('deliveries')
      .set({ lease_expires_at: options.leaseUntil.toISOString() })
      .where('id', 'in', chosen)
      // Still pending and unleased. Written through coalesce() so that no planner walks the status index
      // (every pending row) instead of the id index (these few rows).
      .where((eb) => eb(eb.fn.coalesce('status', eb.val('')), '=', 'pending'))
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
      .returningAll()
      .execute()
  );
}

let claimRound = 0;

/** A cheap look for due work before paying for a claim (an idle claim costs ~20× a peek). */
export async function hasDueDeliveries(db: Kysely<Tables>, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('deliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now.toISOString())
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Gives leased deliveries back at once (graceful shutdown), so another worker need not wait for the lease. */
export async function releaseDeliveries(db: Kysely<Tables>, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('deliveries').set({ lease_expires_at: null }).where('id', 'in', ids).execute();
}
