import { sql, type Kysely } from 'kysely';

/**
 * Indexes for the work that reads the delivery log as it grows (a month of it by default):
 *
 * - `deliveries (event_id)`: pruning deletes events no delivery refers to, and the foreign key from
 *   deliveries to events is checked for every deleted event. Without it both scanned every delivery
 *   per event — pruning was quadratic (40,000 rows took 47 s; a million, hours of a blocked
 *   event loop on SQLite).
 * - failed deliveries per endpoint by time, and per company newest first (partial: failures are
 *   few): `/metrics`, the overview, and the delivery log filtered to failures.
 * - attempts by start time: the overview's last 24 hours.
 * - events per company by time, with the columns the overview counts by (no table reads).
 * - customers per company by tier: the overview's member counts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('deliveries_event').on('deliveries').column('event_id').execute();
  await db.schema
    .createIndex('deliveries_failed')
    .on('deliveries')
    .columns(['endpoint_id', 'updated_at'])
    .where(sql.ref('status'), '=', sql.lit('failed'))
    .execute();
  await db.schema
    .createIndex('deliveries_company_failed')
    .on('deliveries')
    .columns(['company_id', 'seq'])
    .where(sql.ref('status'), '=', sql.lit('failed'))
    .execute();
  await db.schema
    .createIndex('delivery_attempts_started')
    .on('delivery_attempts')
    .column('started_at')
    .execute();
  await db.schema
    .createIndex('events_company_created')
    .on('events')
    .columns(['company_id', 'created_at', 'type', 'is_test'])
    .execute();
  await db.schema
    .createIndex('customers_company_tier')
    .on('customers')
    .columns(['company_id', 'tier'])
    .execute();
}
