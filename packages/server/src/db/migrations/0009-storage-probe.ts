import type { Kysely } from 'kysely';

/**
 * One row, written by a process whose writes failed for lack of space (db/storage-probe.ts), at
 * most once a second until a write succeeds again. Nothing reads it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('storage_probe')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('probed_at', 'text', (c) => c.notNull())
    .execute();
}
