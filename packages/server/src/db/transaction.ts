import { sql, type Kysely } from 'kysely';
import { deliveriesDueListener, takeDeliveriesDueMark } from './deliveries-due.js';
import { sharedCommitsOf } from './shared-commit.js';
import { dialectOf } from './dialect.js';
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
 * aborted it for a serialization failure or a deadlock. `work` must only touch the database. On
 * SQLite, transactions that arrive together share one commit (shared-commit.ts). A transaction that
 * marked deliveries due (deliveries-due.ts) tells the database's listener after its commit.
 */
export async function runInTransaction<T>(
  db: Kysely<Tables>,
  work: (trx: Kysely<Tables>) => Promise<T>,
): Promise<T> {
  const shared = sharedCommitsOf(db);
  let due = false;
  // The mark is taken right after this work: on SQLite, transactions sharing a commit share `trx`.
  const marking = async (trx: Kysely<Tables>): Promise<T> => {
    takeDeliveriesDueMark(trx);
    const value = await work(trx);
    due = takeDeliveriesDueMark(trx);
    return value;
  };
  const value = await retryingConflicts(() =>
    shared ? shared.run(marking) : db.transaction().execute(marking),
  );
  // Committed (a shared commit answers only after its commit): wake whoever sends what is now due.
  if (due) deliveriesDueListener(db)?.();
  return value;
}

/** Calls `transaction` again (up to 5 tries, with a short random pause) while it fails retryably. */
export async function retryingConflicts<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (!isRetryableTransactionError(error) || attempt >= MAX_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/**
 * A transaction whose commit does not wait for the disk: for the delivery worker's own bookkeeping
 * (leases, attempt records), never for accepting a change. A process crash loses none of it; a power
 * loss may lose the last moments of it, and then those deliveries are simply sent again (at least
 * once). On SQLite every commit is like that until `syncToDisk()` (database.ts), which the worker does
 * not wait for after its own writes; on PostgreSQL the transaction sets `synchronous_commit = off`.
 */
export async function runWithoutWaitingForDisk<T>(
  db: Kysely<Tables>,
  work: (trx: Kysely<Tables>) => Promise<T>,
): Promise<T> {
  const dialect = dialectOf(db);
  return runInTransaction(db, async (trx) => {
    if (dialect === 'postgres') await sql`set local synchronous_commit = off`.execute(trx);
    return work(trx);
  });
}
