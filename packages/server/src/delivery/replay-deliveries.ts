import { apiTimestamp } from '../shared/timestamps.js';
import type { Kysely } from 'kysely';
import type { DeliveryStatus, Tables } from '../db/tables.js';
import { ZupyError } from '../errors.js';
import { markDeliveriesDue } from '../db/deliveries-due.js';
import { runInTransaction } from '../db/transaction.js';

export interface ReplayQuery {
  endpointId: string;
  since: Date;
  until?: Date | undefined;
  status: DeliveryStatus | 'held' | 'any';
}

export interface ReplayCandidate {
  id: string;
  event_id: string;
  event_type: string;
  /** As shown: `held` for a pending delivery of a disabled endpoint. */
  status: string;
  created_at: string;
}

/**
 * The deliveries of an endpoint created in [since, until) with the given status, oldest first. A
 * disabled endpoint's pending deliveries are `held` (they are sent when it is enabled again).
 */
export async function findReplayable(db: Kysely<Tables>, query: ReplayQuery): Promise<ReplayCandidate[]> {
  const endpoint = await db
    .selectFrom('webhook_endpoints')
    .select(['enabled', 'deleted_at'])
    .where('id', '=', query.endpointId)
    .executeTakeFirst();
  if (!endpoint || endpoint.deleted_at !== null)
    throw new ZupyError('ZUPY_NOT_FOUND', `endpoint ${query.endpointId} not found`);
  const disabled = endpoint.enabled === 0;
  // `held` is `pending` of a disabled endpoint; a disabled endpoint has nothing `pending`.
  if ((query.status === 'held' && !disabled) || (query.status === 'pending' && disabled)) return [];
  let q = db
    .selectFrom('deliveries')
    .select(['id', 'event_id', 'event_type', 'status', 'created_at'])
    .where('endpoint_id', '=', query.endpointId)
    .where('is_test', '=', 0)
    .where('created_at', '>=', query.since.toISOString())
    .orderBy('seq');
  if (query.until) q = q.where('created_at', '<', query.until.toISOString());
  if (query.status !== 'any') q = q.where('status', '=', query.status === 'held' ? 'pending' : query.status);
  const rows = await q.execute();
  return rows.map((r) => ({
    ...r,
    status: disabled && r.status === 'pending' ? 'held' : r.status,
    created_at: apiTimestamp(r.created_at),
  }));
}

/** Replaying needs an enabled endpoint: a disabled one holds what it gets. */
export async function assertReplayable(db: Kysely<Tables>, endpointId: string): Promise<void> {
  const endpoint = await db
    .selectFrom('webhook_endpoints')
    .select('enabled')
    .where('id', '=', endpointId)
    .executeTakeFirst();
  if (endpoint?.enabled === 0) {
    throw new ZupyError(
      'ZUPY_CONFLICT',
      `endpoint ${endpointId} is disabled; enable it before replaying (its held deliveries are sent then)`,
    );
  }
}

/**
 * Schedules deliveries to be sent again, `ratePerSecond` at most: each gets its own due time, so the
 * workers (of any process) pace the replay without this command staying up. A fresh retry series each.
 */
export async function scheduleReplay(
  db: Kysely<Tables>,
  ids: readonly string[],
  options: { now: Date; ratePerSecond: number; onProgress?: (done: number) => void },
): Promise<void> {
  const spacingMs = 1000 / options.ratePerSecond;
  const stamp = options.now.toISOString();
  const BATCH = 500;
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH);
    await runInTransaction(db, async (trx) => {
      markDeliveriesDue(trx);
      for (const [i, id] of batch.entries()) {
        const due = new Date(options.now.getTime() + Math.floor((start + i) * spacingMs)).toISOString();
        await trx
          .updateTable('deliveries')
          .set((eb) => ({
            status: 'pending',
            next_attempt_at: due,
            // A fresh retry series: the schedule counts from the attempts made so far.
            schedule_offset: eb.ref('attempts_count'),
            lease_expires_at: null,
            updated_at: stamp,
          }))
          .where('id', '=', id)
          .execute();
      }
    });
    options.onProgress?.(Math.min(start + BATCH, ids.length));
  }
}
