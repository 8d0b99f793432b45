import type { Kysely, SelectQueryBuilder } from 'kysely';
import { dialectOf } from './dialect.js';

/**
 * Locks the selected rows until the transaction ends, on PostgreSQL (`FOR UPDATE`). SQLite needs no
 * lock: a process has one connection and one transaction at a time, and other processes wait for
 * the write lock.
 */
export function lockForUpdate<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  /** The transaction the query runs in. */
  trx: Kysely<DB>,
): SelectQueryBuilder<DB, TB, O> {
  return dialectOf(trx) === 'postgres' ? query.forUpdate() : query;
}
