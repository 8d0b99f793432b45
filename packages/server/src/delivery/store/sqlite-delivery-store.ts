import type SQLite from 'better-sqlite3';
import type { SqliteConnection } from '../../db/database.js';
import type { DeliveryRow, EndpointRow } from '../../db/tables.js';
import { retryingConflicts } from '../../db/transaction.js';
import { newId } from '../../shared/random-chars.js';
import { holderIsGone, lockHolderName } from '../lock-holder.js';
import {
  attemptRow,
  claimedOf,
  endpointsToClaim,
  recoveredEndpoints,
  type ClaimedDelivery,
  type ClaimOptions,
  type DeliveryStore,
} from './delivery-store.js';

/** How long the delivery lock lasts without renewal: a holder stalled longer than this loses it. */
const WORKER_LOCK_TTL_MS = 10_000;
/** The holder renews the lock when it is older than this. */
const RENEW_AFTER_MS = 2_000;
/** A process standing by asks for the lock at most this often. */
const STANDBY_RETRY_MS = 1_000;

/**
 * The hot path on SQLite: statements prepared once, each batch one synchronous transaction on
 * better-sqlite3 (no await between its statements), holding Kysely's connection lock.
 *
 * One process at a time sends: the holder of the `delivery` row in `worker_locks`. That replaces a
 * lease on every delivery (an UPDATE per row at each claim, the largest cost of the drain): claims
 * are plain reads, skipping what this process holds in memory. A process that dies leaves nothing
 * leased: whoever takes the lock next sends its unfinished deliveries again (at least once). The lock
 * is taken over at once from a process that is gone (same host, its pid no longer running or reused
 * by a process started later, lock-holder.ts), else when it expires.
 */
export function createSqliteDeliveryStore(connection: SqliteConnection): DeliveryStore {
  let prepared: Statements | null = null;
  // Prepared on first use: the tables exist once migrations ran.
  const run = <T>(work: (s: Statements) => T): Promise<T> =>
    retryingConflicts(() => connection.run((sqlite) => work((prepared ??= prepare(sqlite)))));
  const me = lockHolderName(newId('wrk'));
  let heldSince: number | null = null;
  let nextTry = 0;

  return {
    async mayWork() {
      const now = Date.now();
      if (heldSince !== null && now - heldSince < RENEW_AFTER_MS) return true;
      if (heldSince === null && now < nextTry) return false;
      const held = await run((s) => s.takeLock(me, now));
      heldSince = held ? now : null;
      if (!held) nextTry = now + STANDBY_RETRY_MS;
      return held;
    },

    async stopWorking() {
      if (heldSince === null) return;
      heldSince = null;
      await run((s) => s.releaseLock.run(me));
    },

    hasDue: (now) => run((s) => s.due.get(now.toISOString()) !== undefined),

    claim: (options) => run((s) => s.claim(options)),

    release: () => Promise.resolve(),

    async recordSuccesses(outcomes, now) {
      if (outcomes.length === 0) return;
      const stamp = now.toISOString();
      const rows = outcomes.map(attemptRow);
      const endpoints = recoveredEndpoints(outcomes);
      await run((s) => s.recordSuccesses(rows, endpoints, stamp));
    },
  };
}

type Statements = ReturnType<typeof prepare>;

function prepare(sqlite: SQLite.Database) {
  // Due work of enabled endpoints only, one probe of each endpoint's due index: a disabled endpoint's
  // held deliveries are never looked at.
  const due = sqlite.prepare(
    `select 1 from webhook_endpoints e where e.enabled = 1 and exists (
       select 1 from deliveries d where d.endpoint_id = e.id and d.status = 'pending' and d.next_attempt_at <= ?)
     limit 1`,
  );
  // The enabled endpoints with work due, one probe of each one's due index: with hundreds of
  // endpoints, a claim asks only those for deliveries.
  const enabledEndpoints = sqlite.prepare(
    `select e.* from webhook_endpoints e where e.enabled = 1 and exists (
       select 1 from deliveries d where d.endpoint_id = e.id and d.status = 'pending' and d.next_attempt_at <= ?)`,
  );
  // The oldest due deliveries of one endpoint that this process does not hold yet, through the
  // endpoint's due index, with what sending them needs. Held deliveries are the oldest due, so the
  // scan meets them first: they are told apart by `seq`, the rowid in every index entry, without
  // reading their rows.
  const dueForEndpoint = sqlite.prepare(
    `select deliveries.*, events.body as event_body, events.member_seq as event_member_seq
     from deliveries join events on events.id = deliveries.event_id
     where deliveries.endpoint_id = :endpoint and deliveries.status = 'pending'
       and deliveries.next_attempt_at <= :now
       and deliveries.seq not in (select value from json_each(:held))
     order by deliveries.next_attempt_at limit :limit`,
  );
  const insertAttempt = sqlite.prepare(
    `insert into delivery_attempts
       (delivery_id, attempt, started_at, duration_ms, request_headers, response_status, response_body, error, error_code, error_params)
     values (:delivery_id, :attempt, :started_at, :duration_ms, :request_headers, :response_status, :response_body, :error, :error_code, :error_params)`,
  );
  // The attempt number is the delivery's count + 1: one process sends it at a time.
  const markSucceeded = sqlite.prepare(
    `update deliveries set status = 'succeeded', attempts_count = attempts_count + 1,
       next_attempt_at = null, lease_expires_at = null, updated_at = ?
     where id = ? and status = 'pending' returning seq, has_successor`,
  );
  // The member's next delivery to the endpoint, waiting for the one that succeeded (delivery-order.ts).
  const releaseSuccessor = sqlite.prepare(
    `update deliveries set next_attempt_at = :now, waits_for = null, updated_at = :now
     where waits_for = :seq and status = 'pending'`,
  );
  const endFailureStreak = sqlite.prepare(
    `update webhook_endpoints set failing_since = null where id = ? and failing_since is not null`,
  );
  const lockHolder = sqlite.prepare(`select holder, expires_at from worker_locks where name = 'delivery'`);
  const writeLock = sqlite.prepare(
    `insert into worker_locks (name, holder, expires_at) values ('delivery', ?, ?)
     on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at`,
  );
  const releaseLock = sqlite.prepare(`delete from worker_locks where name = 'delivery' and holder = ?`);

  const takeLock = sqlite
    .transaction((me: string, now: number): boolean => {
      const row = lockHolder.get() as { holder: string; expires_at: string } | undefined;
      const free =
        row === undefined ||
        row.holder === me ||
        Date.parse(row.expires_at) <= now ||
        holderIsGone(row.holder);
      if (free) writeLock.run(me, new Date(now + WORKER_LOCK_TTL_MS).toISOString());
      return free;
    })
    .immediate.bind(null);

  // The turn after a pause (endpoint-pause.ts), and the rate limit's slots (rate-slots.ts): only
  // paused and rate-limited endpoints' rows are written.
  const takeResumeTurn = sqlite.prepare(
    `update webhook_endpoints set resuming_until = :lease
     where id = :endpoint and paused_until is not null and paused_until <= :now
       and (resuming_until is null or resuming_until <= :now)`,
  );
  const endResumeTurn = sqlite.prepare(
    `update webhook_endpoints set paused_until = null, resuming_until = null
     where id = :endpoint and resuming_until = :lease`,
  );
  const reserveSlots = sqlite.prepare(
    `update webhook_endpoints
     set rate_slot_ms = max(coalesce(rate_slot_ms, 0), :now) + :count * 1000.0 / rate_limit
     where id = :endpoint and rate_limit is not null
     returning rate_slot_ms`,
  );

  // A read, without a transaction: nothing else sends on this database (the delivery lock). It writes
  // only for paused and rate-limited endpoints.
  const claim = (options: ClaimOptions): ClaimedDelivery[] => {
    const now = options.now.toISOString();
    const lease = options.leaseUntil.toISOString();
    const enabled = enabledEndpoints.all(now) as EndpointRow[];
    const claimed: ClaimedDelivery[] = [];
    for (const { endpoint, limit, resume } of endpointsToClaim(enabled, options, claimed)) {
      if (resume && takeResumeTurn.run({ endpoint: endpoint.id, lease, now }).changes === 0) continue;
      const held = JSON.stringify([...options.held(endpoint.id)]);
      const rows = dueForEndpoint.all({ endpoint: endpoint.id, now, held, limit }) as (DeliveryRow & {
        event_body: string;
        event_member_seq: number | null;
      })[];
      if (resume && rows.length === 0) endResumeTurn.run({ endpoint: endpoint.id, lease });
      let slotEnd: number | null = null;
      if (endpoint.rate_limit !== null && rows.length > 0) {
        const reserved = reserveSlots.get({
          endpoint: endpoint.id,
          now: options.clock(),
          count: rows.length,
        }) as { rate_slot_ms: number } | undefined;
        slotEnd = reserved?.rate_slot_ms ?? null;
      }
      // The row keeps its extra columns: copying it without would cost more than the claim's SQL.
      const taken = rows.map((row) => ({
        delivery: row,
        body: row.event_body,
        sequence: row.event_member_seq,
      }));
      claimed.push(...claimedOf(endpoint, taken, slotEnd, resume ? lease : null));
    }
    return claimed;
  };

  const recordSuccesses = sqlite
    .transaction((rows: ReturnType<typeof attemptRow>[], endpoints: string[], stamp: string) => {
      for (const row of rows) {
        const marked = markSucceeded.get(stamp, row.delivery_id) as
          { seq: number; has_successor: number } | undefined;
        // Cancelled meanwhile (its customer erased): no trace of the attempt, nor of the answer.
        if (!marked) continue;
        insertAttempt.run(row);
        if (marked.has_successor) releaseSuccessor.run({ now: stamp, seq: marked.seq });
      }
      for (const id of endpoints) endFailureStreak.run(id);
    })
    .immediate.bind(null);

  return { due, claim, recordSuccesses, takeLock, releaseLock };
}
