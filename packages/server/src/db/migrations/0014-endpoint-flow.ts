import type { Kysely } from 'kysely';

/**
 * Flow control per endpoint (issue 17):
 *
 * - `rate_limit`: deliveries per second, set by the owner (null: none).
 * - `rate_slot_ms`: the endpoint's next free send slot under its rate limit, in ms since the epoch
 *   (GCRA's theoretical arrival time): every worker reserves slots from it in the claim, so the pace
 *   holds across processes. Only rate-limited endpoints' rows are written, each its own row.
 * - `paused_until`: a 429 or 503 with `Retry-After` holds every delivery of the endpoint until then.
 * - `resuming_until`: after a pause, the one worker whose single request goes first holds this turn
 *   until its outcome is recorded (or the time passes: a lease, in case that worker dies).
 * - `concurrency_limit`: the in-flight limit the adaptive limiter of a worker last reported.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhook_endpoints').addColumn('rate_limit', 'integer').execute();
  await db.schema.alterTable('webhook_endpoints').addColumn('rate_slot_ms', 'double precision').execute();
  await db.schema.alterTable('webhook_endpoints').addColumn('paused_until', 'text').execute();
  await db.schema.alterTable('webhook_endpoints').addColumn('resuming_until', 'text').execute();
  await db.schema.alterTable('webhook_endpoints').addColumn('concurrency_limit', 'integer').execute();
}
