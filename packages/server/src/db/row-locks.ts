import type { SelectQueryBuilder } from 'kysely';
import type { DialectName } from './dialect.js';

/**
 * Locks the selected rows until the transaction ends, on PostgreSQL (`FOR UPDATE`). SQLite needs no
 * lock: a process has one connection and one transaction at a time, and other processes wait for
 * the write lock.
 */
export function lockForUpdate<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  dialect: DialectName,
): SelectQueryBuilder<DB, TB, O> {
  return dialect === 'postgres' ? query.forUpdate() : query;
}
