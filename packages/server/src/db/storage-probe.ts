import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';
import type { Tables } from './tables.js';

/**
 * One small write that must take new space on the disk, so that it fails while the disk is full and
 * succeeds once writes would: what storage-health.ts runs to learn that writes succeed again.
 *
 * - SQLite: an upsert of one row. It runs right after a truncating checkpoint has emptied the WAL
 *   (database.ts), so its commit appends to a WAL of zero bytes: it needs a new page on the disk.
 * - PostgreSQL: TRUNCATE gives the table a new, empty file, and the insert extends it by one 8 KB
 *   page in the database's default tablespace. Rolled back whole if that fails (`53100`).
 *
 * The caller syncs afterwards where commits do not wait for the disk (SQLite).
 */
export async function writeStorageProbe(db: Kysely<Tables>, now: Date): Promise<void> {
  const row = { id: 1, probed_at: now.toISOString() };
  if (dialectOf(db) === 'postgres') {
    await db.transaction().execute(async (trx) => {
      await sql`truncate storage_probe`.execute(trx);
      await trx.insertInto('storage_probe').values(row).execute();
    });
    return;
  }
  await db
    .insertInto('storage_probe')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ probed_at: row.probed_at }))
    .execute();
}
