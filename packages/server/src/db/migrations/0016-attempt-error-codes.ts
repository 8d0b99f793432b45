import type { Kysely } from 'kysely';

/**
 * A stable code beside each attempt's English `error` (delivery/attempt-error.ts), so the admin
 * panel can say it in the operator's language (issue 19):
 *
 * - `error_code`: `timeout`, `connection_refused`, … or `other`; null when the receiver answered.
 * - `error_params`: JSON object of the code's params (`{"timeout_ms":10000}`), or null.
 *
 * Attempts recorded before this migration keep a null code; the API answers them as `other`, with
 * their sentence. No backfill: the delivery log is pruned, and rewriting it would take a long lock.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('delivery_attempts').addColumn('error_code', 'text').execute();
  await db.schema.alterTable('delivery_attempts').addColumn('error_params', 'text').execute();
}
