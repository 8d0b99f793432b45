import { CompiledQuery, type Kysely } from 'kysely';
import type { DeliveryRow, EndpointRow, Tables } from '../../db/tables.js';
import {
  attemptRow,
  claimedOf,
  endpointsToClaim,
  recoveredEndpoints,
  type ClaimedDelivery,
  type DeliveryStore,
} from './delivery-store.js';

/**
 * The hot path on PostgreSQL: every claim of an endpoint and every batch of successes is one
 * statement, so one round trip and one (implicit) transaction, its arrays passed as parameters so the
 * text never varies. `set_config('synchronous_commit', 'off', true)` in the statement lets its commit
 * skip the WAL flush, like `set local` in a transaction block but without three more round trips.
 */
export function createPostgresDeliveryStore(db: Kysely<Tables>): DeliveryStore {
  const query = async <R>(sql: string, parameters: readonly unknown[]): Promise<R[]> =>
    (await db.executeQuery<R>(CompiledQuery.raw(sql, [...parameters]))).rows;

  return {
    // Workers share the queue through leases: any number may work at once.
    mayWork: () => Promise.resolve(true),
    stopWorking: () => Promise.resolve(),

    async hasDue(now) {
      const rows = await query(DUE, [now.toISOString()]);
      return rows.length > 0;
    },

    async claim(options) {
      const now = options.now.toISOString();
      const lease = options.leaseUntil.toISOString();
      const enabled = await query<EndpointRow>(ENABLED_ENDPOINTS, [now]);
      const claimed: ClaimedDelivery[] = [];
      for (const { endpoint, limit, resume } of endpointsToClaim(enabled, options, claimed)) {
        // After a pause, only the worker that takes the turn sends, and a single delivery.
        if (resume && (await query(TAKE_RESUME_TURN, [endpoint.id, lease, now])).length === 0) continue;
        const rows = await query<DeliveryRow & { body: string; member_seq: number | null }>(CLAIM, [
          lease,
          endpoint.id,
          now,
          limit,
        ]);
        if (resume && rows.length === 0) await query(END_RESUME_TURN, [endpoint.id, lease]);
        let slotEnd: number | null = null;
        if (endpoint.rate_limit !== null && rows.length > 0) {
          const [reserved] = await query<{ rate_slot_ms: number }>(RESERVE_SLOTS, [
            endpoint.id,
            options.clock(),
            rows.length,
          ]);
          slotEnd = reserved?.rate_slot_ms ?? null;
        }
        const taken = rows.map(({ body, member_seq, ...delivery }) => ({
          delivery,
          body,
          sequence: member_seq,
        }));
        claimed.push(...claimedOf(endpoint, taken, slotEnd, resume ? lease : null));
      }
      return claimed;
    },

    async release(deliveryIds) {
      if (deliveryIds.length > 0) await query(RELEASE, [deliveryIds]);
    },

    async recordSuccesses(outcomes, now) {
      if (outcomes.length === 0) return;
      const rows = outcomes.map(attemptRow);
      const [recorded] = await query<{ successors_of: string[] | null }>(RECORD_SUCCESSES, [
        rows.map((r) => r.delivery_id),
        rows.map((r) => r.attempt),
        rows.map((r) => r.started_at),
        rows.map((r) => r.duration_ms),
        rows.map((r) => r.request_headers),
        rows.map((r) => r.response_status),
        rows.map((r) => r.response_body),
        rows.map((r) => r.error),
        now.toISOString(),
        recoveredEndpoints(outcomes),
      ]);
      // A second statement, so that it sees deliveries recorded (waiting for these) while the first
      // waited for their row locks (delivery-order.ts).
      const ended = recorded?.successors_of ?? null;
      if (ended !== null && ended.length > 0) await query(RELEASE_SUCCESSORS, [ended, now.toISOString()]);
    },
  };
}

// Due work of enabled endpoints only, one probe of each endpoint's due index: a disabled endpoint's
// held deliveries are never looked at.
const DUE = `select 1 from webhook_endpoints e where e.enabled = 1 and exists (
  select 1 from deliveries d where d.endpoint_id = e.id and d.status = 'pending' and d.next_attempt_at <= $1)
limit 1`;

// The enabled endpoints with work due (one probe of each one's due index): a claim asks only those,
// a statement each, instead of every endpoint.
const ENABLED_ENDPOINTS = `select e.* from webhook_endpoints e where e.enabled = 1 and exists (
  select 1 from deliveries d where d.endpoint_id = e.id and d.status = 'pending' and d.next_attempt_at <= $1)`;

// SKIP LOCKED: concurrent workers take disjoint rows instead of queueing on the same ones; the locked
// rows' conditions are checked again on their newest version before the update.
const CLAIM = `
with claimed as (
  update deliveries set lease_expires_at = $1
  where id in (
    select id from deliveries
    where endpoint_id = $2 and status = 'pending' and next_attempt_at <= $3
      and (lease_expires_at is null or lease_expires_at < $3)
    order by next_attempt_at limit $4
    for update skip locked)
  returning *)
select claimed.*, events.body, events.member_seq
from claimed join events on events.id = claimed.event_id
where set_config('synchronous_commit', 'off', true) = 'off'`;

// The turn after a pause (endpoint-pause.ts): one worker wins it, until its single delivery is recorded.
const TAKE_RESUME_TURN = `update webhook_endpoints set resuming_until = $2
where id = $1 and paused_until is not null and paused_until <= $3
  and (resuming_until is null or resuming_until <= $3)
returning id`;

const END_RESUME_TURN = `update webhook_endpoints set paused_until = null, resuming_until = null
where id = $1 and resuming_until = $2`;

// GCRA (rate-slots.ts): one slot per delivery from the endpoint's next free slot, in its own row.
const RESERVE_SLOTS = `update webhook_endpoints
set rate_slot_ms = greatest(coalesce(rate_slot_ms, 0), $2::float8) + $3::int * 1000.0 / rate_limit
where id = $1 and rate_limit is not null
returning rate_slot_ms`;

const RELEASE = `update deliveries set lease_expires_at = null where id = any($1::text[])`;

// Only deliveries still pending are recorded, with their attempts: one cancelled meanwhile (its
// customer erased, customers/erasure/pending-deliveries.ts) keeps no trace of the receiver's answer.
// The update waits for the erasure's row lock and then sees it `discarded`.
const RECORD_SUCCESSES = `
with delivered as (
  update deliveries set status = 'succeeded', attempts_count = attempts_count + 1,
    next_attempt_at = null, lease_expires_at = null, updated_at = $9
  where id = any($1::text[]) and status = 'pending'
  returning id, seq, has_successor
), attempts as (
  insert into delivery_attempts
    (delivery_id, attempt, started_at, duration_ms, request_headers, response_status, response_body, error)
  select a.* from unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[], $8::text[])
    as a(delivery_id, attempt, started_at, duration_ms, request_headers, response_status, response_body, error)
  where a.delivery_id in (select id from delivered)
), recovered as (
  update webhook_endpoints set failing_since = null
  where id = any($10::text[]) and failing_since is not null
)
select set_config('synchronous_commit', 'off', true),
  (select array_agg(seq) from delivered where has_successor = 1) as successors_of`;

const RELEASE_SUCCESSORS = `
update deliveries set next_attempt_at = $2, waits_for = null, updated_at = $2
where waits_for = any($1::bigint[]) and status = 'pending' and set_config('synchronous_commit', 'off', true) = 'off'`;
