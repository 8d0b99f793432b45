import { sql, type Kysely } from 'kysely';

/**
 * The due indexes hold pending deliveries only. A delivery leaves them when it succeeds or fails for
 * good instead of moving to another spot in them, so recording a success writes two index entries
 * fewer, and the indexes stay as small as the queue instead of growing with the whole log. Every
 * query that walks them asks for `status = 'pending'` in its text.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('deliveries_due').execute();
  await db.schema.dropIndex('deliveries_endpoint_due').execute();
  await db.schema
    .createIndex('deliveries_due')
    .on('deliveries')
    .columns(['next_attempt_at'])
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
  await db.schema
    .createIndex('deliveries_endpoint_due')
    .on('deliveries')
    .columns(['endpoint_id', 'next_attempt_at'])
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
}
