import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * An `Idempotency-Key` names one operation on one member (issue 24): the stored answers are keyed by
 * `(company_id, member_id, operation, key)` instead of `(company_id, key)`, so the same key sent for
 * another member (or on another route) is a new request, and the same key, member and operation with
 * another body is still a 422.
 *
 * - `member_id`: the member the operation is on (for a coupon's cancellation, the coupon's member).
 * - `operation`: `add`, `spend`, `redeem`, `validate` or `cancel`.
 *
 * SQLite cannot change a primary key in place, so the table is rebuilt (on both engines, one path).
 * The rows already stored get both from their answer, which every operation writes with
 * `customer_id` and a field of its own: `operation` (points), `points_used` (redeem), `status`
 * `used` (validate) or `cancelled` (cancel).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('idempotency_keys_scoped')
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer', (c) => c.notNull())
    .addColumn('response_body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_scope_pk', ['company_id', 'member_id', 'operation', 'key'])
    .execute();

  const field = (name: string) =>
    dialect === 'postgres'
      ? sql`(response_body::jsonb ->> ${sql.lit(name)})`
      : sql`json_extract(response_body, ${sql.lit(`$.${name}`)})`;
  await sql`
    insert into idempotency_keys_scoped
      (company_id, member_id, operation, key, fingerprint, response_status, response_body, created_at)
    select company_id,
      coalesce(${field('customer_id')}, ''),
      case
        when ${field('operation')} in ('add', 'spend') then ${field('operation')}
        when ${field('points_used')} is not null then 'redeem'
        when ${field('status')} = 'used' then 'validate'
        when ${field('status')} = 'cancelled' then 'cancel'
        else ''
      end,
      key, fingerprint, response_status, response_body, created_at
    from idempotency_keys
  `.execute(db);
  await db.schema.dropTable('idempotency_keys').execute();
  await db.schema.alterTable('idempotency_keys_scoped').renameTo('idempotency_keys').execute();
}
