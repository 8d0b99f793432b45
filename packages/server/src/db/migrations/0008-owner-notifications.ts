import { sql, type Kysely } from 'kysely';

/**
 * Owner e-mails (issue 23, item 4): where a company wants to hear about its webhook endpoints, in
 * which language, and a durable outbox of the notices to send.
 *
 * - `companies.notification_email` (null: no e-mails) and `companies.language` (`pt-BR` or `en`).
 * - `owner_notifications`: one row per notice, written in the transaction of its cause (an endpoint
 *   disabled or enabled), sent by the worker under a lease. Pending: `sent_at` null and
 *   `next_attempt_at` set; sent: `sent_at` set; given up: both null, `last_error` says why.
 *   The recipient and the language are read from the company when the mail is sent.
 * - Due rows are found through a partial index over what is still to send (few rows), and pruning
 *   by age through `created_at`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('companies').addColumn('notification_email', 'text').execute();
  await db.schema
    .alterTable('companies')
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('pt-BR'))
    .execute();

  await db.schema
    .createTable('owner_notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createIndex('owner_notifications_due')
    .on('owner_notifications')
    .column('next_attempt_at')
    .where(sql.ref('next_attempt_at'), 'is not', sql.lit(null))
    .execute();
  await db.schema
    .createIndex('owner_notifications_created')
    .on('owner_notifications')
    .column('created_at')
    .execute();
}
