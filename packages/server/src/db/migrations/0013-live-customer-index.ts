import { sql, type Kysely } from 'kysely';

/**
 * The overview counts the live members by tier: with erasure (0012) tombstones are left out
 * (`erased_at IS NULL`), which `customers_company_tier` alone can only answer by reading every
 * customer row. This partial index holds only the live ones, so the count stays index-only on both
 * engines (test/log-reads.test.ts checks the plan).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('customers_live_company_tier')
    .on('customers')
    // erased_at too, though always null here: SQLite then answers from the index alone.
    .columns(['company_id', 'tier', 'erased_at'])
    .where(sql.ref('erased_at'), 'is', null)
    .execute();
}
