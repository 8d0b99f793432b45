import type { Kysely } from 'kysely';

/**
 * On SQLite one process at a time sends webhooks: it holds this lock (renewed every few seconds)
 * instead of a lease on every delivery it claims. PostgreSQL workers share the queue through leases
 * and never use it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('worker_locks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}
