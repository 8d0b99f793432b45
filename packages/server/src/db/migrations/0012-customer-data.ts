import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Customer data under LGPD (issue 22): consent, erasure and the audit log.
 *
 * - `customers.marketing_whatsapp`, `customers.marketing_email` (0/1): whether the customer agreed to
 *   marketing on each channel now, with when (`…_at`) and through which channel (`…_channel`) that was
 *   last given or withdrawn (null: never asked); `consent_changes` keeps the history (when, which medium, given or
 *   withdrawn, through which channel), one row per change, never updated.
 * - `customers.erased_at`: set when the customer's personal data was erased; the row stays as a
 *   tombstone (member id, ledger totals) so the member id is never given out again.
 * - `events.erased_at`: the event's body was scrubbed (it was about an erased customer); such an
 *   event is never sent or redelivered again.
 * - `audit_log`: one row per write through the API, the panel or the CLI, with no personal data;
 *   `hash` chains each company's entries (sha256 over the previous entry's hash and this one's
 *   fields), so an edited or removed entry in the middle shows.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  await db.schema
    .alterTable('customers')
    .addColumn('marketing_whatsapp', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('customers')
    .addColumn('marketing_email', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  for (const medium of ['whatsapp', 'email']) {
    await db.schema.alterTable('customers').addColumn(`marketing_${medium}_at`, 'text').execute();
    await db.schema.alterTable('customers').addColumn(`marketing_${medium}_channel`, 'text').execute();
  }
  await db.schema.alterTable('customers').addColumn('erased_at', 'text').execute();
  await db.schema.alterTable('events').addColumn('erased_at', 'text').execute();

  await db.schema
    .createTable('consent_changes')
    .addColumn('id', serial, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull().references('customers.member_id'))
    .addColumn('medium', 'text', (c) => c.notNull())
    .addColumn('opted_in', 'integer', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('consent_changes_member')
    .on('consent_changes')
    .columns(['company_id', 'member_id', 'id'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('seq', serial, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('key_prefix', 'text')
    .addColumn('address', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('status', 'integer')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_company').on('audit_log').columns(['company_id', 'seq']).execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  await sql`create index audit_log_target on audit_log (company_id, target_id, seq) where target_id is not null`.execute(
    db,
  );
}
