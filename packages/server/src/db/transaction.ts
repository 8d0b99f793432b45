import type { Kysely, Transaction } from 'kysely';
import type { Tables } from './tables.js';

/**
 * PostgreSQL's serialization failure and deadlock, and SQLite's busy (another process held the write
 * lock past `busy_timeout`): the transaction did nothing and may simply run again.
 */
const RETRYABLE_CODES = new Set(['40001', '40P01', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT']);
const MAX_TRIES = 5;

export function isRetryableTransactionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

/**
 * Runs `work` in a transaction, again (up to 5 tries, with a short random pause) when the engine
 * aborted it for a serialization failure or a deadlock. `work` must only touch the database.
 */
export async function runInTransaction<T>(
  db: Kysely<Tables>,
  work: (trx: Transaction<Tables>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (!isRetryableTransactionError(error) || attempt >= MAX_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
