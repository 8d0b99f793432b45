import type { Kysely } from 'kysely';
import type { DialectName } from '../db/dialect.js';
import { lockSkippingLocked } from '../db/row-locks.js';
import type { DeliveryRow, Tables } from '../db/tables.js';
import { runInTransaction } from '../db/transaction.js';

export interface ClaimOptions {
  dialect: DialectName;
  now: Date;
  limit: number;
  leaseUntil: Date;
  /** Room left per endpoint under the in-flight cap; endpoints at 0 are skipped in the query. */
  roomFor: (endpointId: string) => number;
  saturatedEndpoints: readonly string[];
}

/**
 * Claims due deliveries under a lease. The UPDATE re-checks that each row is still pending and
 * unleased, so two workers can never hold one delivery, on SQLite or PostgreSQL, whatever their
 * timing; a worker that dies leaves a lease that expires, and the delivery is claimed again.
 */
export async function claimDeliveries(db: Kysely<Tables>, options: ClaimOptions): Promise<DeliveryRow[]> {
  // On PostgreSQL the candidates are locked (SKIP LOCKED) until the update commits, so concurrent
  // workers take disjoint rows instead of queueing on the same ones.
  return options.dialect === 'postgres'
    ? runInTransaction(db, (trx) => claimWith(trx, options))
    : claimWith(db, options);
}

async function claimWith(db: Kysely<Tables>, options: ClaimOptions): Promise<DeliveryRow[]> {
  const now = options.now.toISOString();
  let candidates = db
    .selectFrom('deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .select(['d.id', 'd.endpoint_id'])
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('d.lease_expires_at', 'is', null), eb('d.lease_expires_at', '<', now)]))
    .where('e.enabled', '=', 1)
    .orderBy('d.next_attempt_at')
    .limit(options.limit * 2);
  if (options.saturatedEndpoints.length > 0) {
    candidates = candidates.where('d.endpoint_id', 'not in', options.saturatedEndpoints);
  }
  const rows = await lockSkippingLocked(candidates, options.dialect, 'd').execute();
  const taken = new Map<string, number>();
  const chosen: string[] = [];
  for (const row of rows) {
    const used = taken.get(row.endpoint_id) ?? 0;
    if (used >= options.roomFor(row.endpoint_id)) continue;
    taken.set(row.endpoint_id, used + 1);
    chosen.push(row.id);
    if (chosen.length >= options.limit) break;
  }
  if (chosen.length === 0) return [];
  return db
    .updateTable('deliveries')
    .set({ lease_expires_at: options.leaseUntil.toISOString() })
    .where('id', 'in', chosen)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
    .returningAll()
    .execute();
}

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
