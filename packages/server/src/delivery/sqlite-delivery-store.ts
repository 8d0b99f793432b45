import type SQLite from 'better-sqlite3';
import type { SqliteConnection } from '../db/database.js';
import type { DeliveryRow, EndpointRow } from '../db/tables.js';
import { retryingConflicts } from '../db/transaction.js';
import {
  attemptRow,
  claimOrder,
  recoveredEndpoints,
  type ClaimedDelivery,
  type ClaimOptions,
  type DeliveryStore,
} from './delivery-store.js';

/**
 * The hot path on SQLite: statements prepared once, each batch one synchronous `begin immediate`
 * transaction on better-sqlite3 (no await between its statements), holding Kysely's connection lock.
 */
export function createSqliteDeliveryStore(connection: SqliteConnection): DeliveryStore {
  let prepared: Statements | null = null;
  // Prepared on first use: the tables exist once migrations ran.
  const run = <T>(work: (s: Statements) => T): Promise<T> =>
    retryingConflicts(() => connection.run((sqlite) => work((prepared ??= prepare(sqlite)))));

  return {
    hasDue: (now) => run((s) => s.due.get(now.toISOString()) !== undefined),

    claim: (options) => run((s) => s.claim(options)),

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
  const due = sqlite.prepare(
    `select 1 from deliveries where status = 'pending' and next_attempt_at <= ? limit 1`,
  );
  const enabledEndpoints = sqlite.prepare(`select * from webhook_endpoints where enabled = 1`);
  // One statement per endpoint: the subquery walks the endpoint's due index, the update takes the
  // rows by id. The write lock is held from `begin immediate`, so nothing changes in between.
  const claimForEndpoint = sqlite.prepare(
    `update deliveries set lease_expires_at = :lease
     where id in (
       select id from deliveries
       where endpoint_id = :endpoint and status = 'pending' and next_attempt_at <= :now
         and (lease_expires_at is null or lease_expires_at < :now)
       order by next_attempt_at limit :limit)
     returning *`,
  );
  const eventBody = sqlite.prepare(`select body from events where id = ?`).pluck();
  const insertAttempt = sqlite.prepare(
    `insert into delivery_attempts
       (delivery_id, attempt, started_at, duration_ms, request_headers, response_status, response_body, error)
     values (:delivery_id, :attempt, :started_at, :duration_ms, :request_headers, :response_status, :response_body, :error)`,
  );
  // The attempt number is the delivery's count + 1: one holder of its lease sends it at a time.
  const markSucceeded = sqlite.prepare(
    `update deliveries set status = 'succeeded', attempts_count = attempts_count + 1,
       next_attempt_at = null, lease_expires_at = null, updated_at = ?
     where id = ?`,
  );
  const endFailureStreak = sqlite.prepare(
    `update webhook_endpoints set failing_since = null where id = ? and failing_since is not null`,
  );

  const claim = sqlite
    .transaction((options: ClaimOptions): ClaimedDelivery[] => {
      const now = options.now.toISOString();
      const lease = options.leaseUntil.toISOString();
      const endpoints = (enabledEndpoints.all() as EndpointRow[]).filter((e) => options.roomFor(e.id) > 0);
      const claimed: ClaimedDelivery[] = [];
      const bodies = new Map<string, string>();
      for (const endpoint of claimOrder(endpoints)) {
        const limit = Math.min(options.roomFor(endpoint.id), options.limit - claimed.length);
        if (limit <= 0) break;
        const rows = claimForEndpoint.all({ lease, endpoint: endpoint.id, now, limit }) as DeliveryRow[];
        for (const delivery of rows) {
          let body = bodies.get(delivery.event_id);
          if (body === undefined) {
            body = eventBody.get(delivery.event_id) as string;
            bodies.set(delivery.event_id, body);
          }
          claimed.push({ delivery, body, endpoint });
        }
      }
      return claimed;
    })
    .immediate.bind(null);

  const recordSuccesses = sqlite
    .transaction((rows: ReturnType<typeof attemptRow>[], endpoints: string[], stamp: string) => {
      for (const row of rows) {
        insertAttempt.run(row);
        markSucceeded.run(stamp, row.delivery_id);
      }
      for (const id of endpoints) endFailureStreak.run(id);
    })
    .immediate.bind(null);

  return { due, claim, recordSuccesses };
}
