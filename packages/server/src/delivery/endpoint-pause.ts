import type { Kysely } from 'kysely';
import type { EndpointRow, Tables } from '../db/tables.js';

/**
 * An endpoint paused by a 429 or 503 with `Retry-After` (failure-policy.ts `pauseUntil`): while
 * `paused_until` is ahead, no worker claims its deliveries. Once it has passed, one worker takes the
 * turn (`resuming_until`, a lease, in the claim) and sends a single delivery; when that one's outcome
 * is recorded the turn ends and the pause with it — unless the answer paused the endpoint again.
 */
export type PauseState = 'open' | 'paused' | 'resume';

export function pauseState(
  endpoint: Pick<EndpointRow, 'paused_until' | 'resuming_until'>,
  now: string,
): PauseState {
  if (endpoint.paused_until === null) return 'open';
  if (endpoint.paused_until > now) return 'paused';
  if (endpoint.resuming_until !== null && endpoint.resuming_until > now) return 'paused';
  return 'resume';
}

/** The single delivery after a pause is recorded: the pause ends, unless its answer paused it again. */
export async function endResumeTurn(db: Kysely<Tables>, endpointId: string, turn: string): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ paused_until: null, resuming_until: null })
    .where('id', '=', endpointId)
    .where('resuming_until', '=', turn)
    .execute();
}

/** What a worker's adaptive limiters say now, for the endpoints' API view (`concurrency_limit`). */
export async function writeConcurrencyLimits(
  db: Kysely<Tables>,
  limits: readonly (readonly [string, number])[],
): Promise<void> {
  for (const [id, limit] of limits)
    await db
      .updateTable('webhook_endpoints')
      .set({ concurrency_limit: limit })
      .where('id', '=', id)
      .execute();
}
