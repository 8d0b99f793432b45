import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Orders earn points (issue 21): the company's time zone, orders, and the inbox of partner order feeds.
 *
 * - `companies.time_zone`: an IANA name; happy hours and promotion dates are read in it.
 * - `ledger_entries.transaction_id` (`txn_…`): the id a `points.earned` gives its credit; null for
 *   entries that are not credits of earned points (welcome, spend, expire) and for older entries.
 * - `orders`: one row per order credited, unique on `(company_id, platform, order_id)`, which makes
 *   an order idempotent: the same order again answers with `result`, the first answer, and credits
 *   nothing.
 * - `partner_inbox`: each body a partner POSTed, stored as received before it is answered, unique on
 *   `(company_id, body_sha256)` (the same body again is a duplicate). Pending rows (`processed_at`
 *   null) are claimed under a lease by the worker's inbox processor; `outcomes` is what happened to
 *   each order in it. Pending rows are found through a partial index; listings through
 *   `(company_id, seq)`.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  await db.schema
    .alterTable('companies')
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('America/Sao_Paulo'))
    .execute();
  await db.schema.alterTable('ledger_entries').addColumn('transaction_id', 'text').execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
    .addColumn('member_id', 'text', (c) => c.notNull().references('customers.member_id'))
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('order_value_cents', 'bigint', (c) => c.notNull())
    .addColumn('payment_method', 'text')
    .addColumn('items', 'text', (c) => c.notNull())
    .addColumn('ordered_at', 'text', (c) => c.notNull())
    .addColumn('points_earned', 'bigint', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('orders_platform_order')
    .unique()
    .on('orders')
    .columns(['company_id', 'platform', 'order_id'])
    .execute();
  await db.schema.createIndex('orders_member').on('orders').columns(['member_id', 'created_at']).execute();

  await db.schema
    .createTable('partner_inbox')
    .addColumn('seq', serial, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
    .addColumn('partner', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_sha256', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_expires_at', 'text')
    .addColumn('processed_at', 'text')
    .addColumn('outcomes', 'text')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createIndex('partner_inbox_body')
    .unique()
    .on('partner_inbox')
    .columns(['company_id', 'body_sha256'])
    .execute();
  await db.schema
    .createIndex('partner_inbox_pending')
    .on('partner_inbox')
    .column('received_at')
    .where(sql.ref('processed_at'), 'is', sql.lit(null))
    .execute();
  await db.schema
    .createIndex('partner_inbox_company')
    .on('partner_inbox')
    .columns(['company_id', 'seq'])
    .execute();
}
