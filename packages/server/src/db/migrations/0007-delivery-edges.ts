import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Delivery at the edges (issue 23): per-member order, held deliveries of disabled endpoints, probes.
 *
 * - `events.member_id`, `events.member_seq`: the member an event is about and its number among that
 *   member's events (`X-Zupy-Sequence`: 1 for the registration, then 2, 3 …), counted by
 *   `customers.events_recorded`. Backfilled from the stored bodies, so numbering goes on from the
 *   events already recorded.
 * - `deliveries.member_id` (null when the endpoint does not order by member), `waits_for` (the `seq`
 *   of the member's earlier delivery to the same endpoint that this one waits for) and
 *   `has_successor` (a later delivery waits for this one): a waiting delivery is out of the due
 *   index's reach (`next_attempt_at` far in the future) until its predecessor ends, so claims never
 *   look at it. `kind`: `event`, `test` (a test send) or `probe` (a probe of a disabled endpoint).
 * - `webhook_endpoints.ordering` (`member` | `none`), `disabled_code` (`gone` | `failure_streak` |
 *   `manual`), `disabled_at`, `next_probe_at`, `probe_count`.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('events').addColumn('member_id', 'text').execute();
  await db.schema.alterTable('events').addColumn('member_seq', 'integer').execute();
  await db.schema
    .alterTable('customers')
    .addColumn('events_recorded', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('deliveries').addColumn('member_id', 'text').execute();
  await db.schema.alterTable('deliveries').addColumn('waits_for', bigint).execute();
  await db.schema
    .alterTable('deliveries')
    .addColumn('has_successor', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('deliveries')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('event'))
    .execute();
  await db.schema
    .alterTable('webhook_endpoints')
    .addColumn('ordering', 'text', (c) => c.notNull().defaultTo('member'))
    .execute();
  await db.schema.alterTable('webhook_endpoints').addColumn('disabled_code', 'text').execute();
  await db.schema.alterTable('webhook_endpoints').addColumn('disabled_at', 'text').execute();
  await db.schema.alterTable('webhook_endpoints').addColumn('next_probe_at', 'text').execute();
  await db.schema
    .alterTable('webhook_endpoints')
    .addColumn('probe_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  // Backfill: the member of every recorded customer event, its number, and each member's count.
  const memberOfBody =
    dialect === 'postgres'
      ? sql`(body::jsonb -> 'customer' ->> 'member_id')`
      : sql`json_extract(body, '$.customer.member_id')`;
  await sql`update events set member_id = ${memberOfBody} where is_test = 0`.execute(db);
  await sql`create index events_member on events (company_id, member_id, seq) where member_id is not null`.execute(
    db,
  );
  await sql`update events set member_seq = numbered.n
    from (select seq, row_number() over (partition by company_id, member_id order by seq) as n
          from events where member_id is not null) as numbered
    where events.seq = numbered.seq`.execute(db);
  await sql`update customers set events_recorded = coalesce(
      (select max(e.member_seq) from events e
       where e.company_id = customers.company_id and e.member_id = customers.member_id), 0)`.execute(db);
  await sql`update deliveries set kind = 'test' where is_test = 1`.execute(db);
  await sql`update webhook_endpoints set disabled_at = updated_at,
      disabled_code = case when disabled_reason like '%410%' then 'gone'
                           when disabled_reason like 'every attempt failed%' then 'failure_streak'
                           else 'manual' end,
      next_probe_at = case when disabled_reason like 'every attempt failed%' then updated_at end
    where enabled = 0 and deleted_at is null`.execute(db);

  // A member's latest open delivery to an endpoint, found when the next event is recorded.
  await sql`create index deliveries_member_open on deliveries (endpoint_id, member_id, seq)
    where status = 'pending' and member_id is not null`.execute(db);
  // Discarded deliveries, counted by `/metrics` (partial, like the failures' index).
  await sql`create index deliveries_discarded on deliveries (endpoint_id) where status = 'discarded'`.execute(
    db,
  );
  // The deliveries waiting for one that just ended.
  await sql`create index deliveries_waiting on deliveries (waits_for) where waits_for is not null`.execute(
    db,
  );
}
