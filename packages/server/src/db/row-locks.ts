import type { Kysely, SelectQueryBuilder } from 'kysely';
import { dialectOf } from './dialect.js';

/**
 * Locks the selected rows until the transaction ends, on PostgreSQL, against every other locker and
 * writer of them (`FOR NO KEY UPDATE`, the lock an `UPDATE` of them takes), but not against the
 * foreign-key checks of rows inserted elsewhere that refer to them (`FOR KEY SHARE`): with `FOR
 * UPDATE`, the company row locked for an audit entry stalled every registration of the company
 * (its customer's insert checks the company) until the audit's commit. SQLite needs no lock: a
 * process has one connection and one transaction at a time, and other processes wait for the write
 * lock.
 */
export function lockForUpdate<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  /** The transaction the query runs in. */
  trx: Kysely<DB>,
): SelectQueryBuilder<DB, TB, O> {
  return dialectOf(trx) === 'postgres' ? query.forNoKeyUpdate() : query;
}

/**
 * As {@link lockForUpdate}, but rows another transaction holds are left out instead of waited for
 * (`FOR UPDATE SKIP LOCKED`): for claims, where a held row is another worker's work.
 */
export function lockSkippingLocked<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  /** The transaction the query runs in. */
  trx: Kysely<DB>,
): SelectQueryBuilder<DB, TB, O> {
  return dialectOf(trx) === 'postgres' ? query.forUpdate().skipLocked() : query;
}
