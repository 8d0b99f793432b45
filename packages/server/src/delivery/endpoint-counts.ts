import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';

/**
 * Counts of an endpoint's deliveries, each through a partial index (migrations 0005, 0006): the
 * cost follows the queue and the failures, never the whole log. Shared by the endpoint view, the
 * overview, `/metrics`, the operational events and pruning.
 */

/**
 * The endpoint's queue — its held deliveries while it is disabled — in its partial index of pending
 * deliveries alone (no row read). A test send is pending only while it is being sent, with no
 * `next_attempt_at`: not counted.
 */
export async function queuedFor(db: Kysely<Tables>, endpointId: string): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .where('next_attempt_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deliveries of the endpoint (not test sends) that failed for good since `since` (ISO 8601). */
export async function failedSince(db: Kysely<Tables>, endpointId: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'failed')
    .where('updated_at', '>=', since)
    .where('is_test', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The ids of the live endpoints that are disabled: a pending delivery of one of them is held. */
export function disabledEndpointIds(eb: ExpressionBuilder<Tables, 'deliveries'>) {
  return eb
    .selectFrom('webhook_endpoints')
    .select('id')
    .where('enabled', '=', 0)
    .where('deleted_at', 'is', null);
}
