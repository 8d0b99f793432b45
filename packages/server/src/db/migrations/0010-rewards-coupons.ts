import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * The rewards catalog and the coupons issued from it (rewards/, coupons/). Money in centavos;
 * `discount_value` in hundredths (of a percent for `percentage`, of a real for `fixed_amount`). A
 * coupon keeps a copy of its reward's discount rules as redeemed: editing the reward later changes
 * no coupon already issued.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  const primary = dialect === 'sqlite';

  await db.schema
    .createTable('rewards')
    .addColumn('seq', serial, (c) => (primary ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('points_required', 'bigint', (c) => c.notNull())
    .addColumn('discount_type', 'text', (c) => c.notNull())
    .addColumn('discount_value_hundredths', 'bigint', (c) => c.notNull())
    .addColumn('maximum_discount_cents', 'bigint')
    .addColumn('minimum_purchase_cents', 'bigint')
    .addColumn('validity_days', 'integer', (c) => c.notNull())
    .addColumn('terms', 'text')
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('stock', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rewards_company_seq').on('rewards').columns(['company_id', 'seq']).execute();

  await db.schema
    .createTable('coupons')
    .addColumn('seq', serial, (c) => (primary ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull().references('customers.member_id'))
    .addColumn('reward_id', 'text', (c) => c.notNull().references('rewards.id'))
    .addColumn('reward_name', 'text', (c) => c.notNull())
    .addColumn('discount_type', 'text', (c) => c.notNull())
    .addColumn('discount_value_hundredths', 'bigint', (c) => c.notNull())
    .addColumn('maximum_discount_cents', 'bigint')
    .addColumn('minimum_purchase_cents', 'bigint')
    /** `redeemed` (points spent, one of the reward's stock) or `welcome` (a program's welcome reward). */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('points_spent', 'bigint', (c) => c.notNull())
    .addColumn('redemption_method', 'text', (c) => c.notNull())
    /** `active`, `used` or `cancelled`; `expired` is computed from `valid_until` when read. */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('valid_until', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('cancelled_at', 'text')
    .addColumn('order_value_cents', 'bigint')
    .addColumn('discount_applied_cents', 'bigint')
    .addColumn('platform', 'text')
    .addColumn('order_id', 'text')
    .addColumn('location', 'text')
    .addColumn('staff_member', 'text')
    .execute();
  await db.schema.createIndex('coupons_company_seq').on('coupons').columns(['company_id', 'seq']).execute();
  await db.schema.createIndex('coupons_member').on('coupons').columns(['member_id', 'seq']).execute();
}
