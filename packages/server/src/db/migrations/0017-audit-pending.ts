import type { Kysely } from 'kysely';

/**
 * Audit entries written in the transaction of their change (issue 22): `audit_pending` holds an
 * entry from the commit of the change it records until it is chained into `audit_log` (right after,
 * by the process that made the change; after a crash, by the next process to start, or the next
 * sweep). The entry is as durable as the change: either both are committed or neither. It has no
 * status: that is the answer's, added when the entry is chained (null when the process stopped
 * before answering).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_pending')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('key_prefix', 'text')
    .addColumn('address', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .execute();
  await db.schema.createIndex('audit_pending_at').on('audit_pending').column('at').execute();
}
