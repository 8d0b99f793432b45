import type { Kysely } from 'kysely';

/** Claims look up each endpoint's due deliveries: O(batch) however large other endpoints' backlogs are. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('deliveries_endpoint_due')
    .on('deliveries')
    .columns(['endpoint_id', 'status', 'next_attempt_at'])
    .execute();
}
