import { sql, type Kysely } from 'kysely';
import { deliveriesDueListener, markDeliveriesDue, takeDeliveriesDueMark } from './deliveries-due.js';
import { DELIVERIES_CHANNEL } from './pg-shared-commit.js';
import { sharedCommitsOf } from './shared-commit.js';
import { dialectOf } from './dialect.js';
import { currentTransactionScope, runOutsideTransactionScope } from './transaction-scope.js';
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
 * both engines, transactions that arrive together share one commit (shared-commit.ts,
 * pg-shared-commit.ts; `share: false` runs it alone). A transaction that marked deliveries due
 * (deliveries-due.ts) tells the database's listener after its commit, and on PostgreSQL the delivery
 * workers of other processes by `NOTIFY` in the commit. A transaction asked for in a transaction
 * scope (transaction-scope.ts: a request's or a CLI command's audit entry) writes the scope's rows
 * too, before its commit.
 */
export async function runInTransaction<T>(
  db: Kysely<Tables>,
  work: (trx: Kysely<Tables>) => Promise<T>,
  options: { share?: boolean } = {},
): Promise<T> {
  const shared = options.share === false ? undefined : sharedCommitsOf(db);
  const postgres = dialectOf(db) === 'postgres';
  // Read here, in the caller's context: a shared commit runs the work in another one.
  const scope = currentTransactionScope();
  let due = false;
  // The mark is taken right after this work: transactions sharing a commit share `trx`.
  const marking = async (trx: Kysely<Tables>): Promise<T> => {
    takeDeliveriesDueMark(trx);
    const value = await work(trx);
    if (scope) await scope.beforeCommit(trx, value);
    due = takeDeliveriesDueMark(trx);
    if (due && postgres) {
      // Workers in other processes hear of it by NOTIFY, sent with the commit: a shared commit
      // sends it in its commit's round trip (pg-shared-commit.ts), a transaction of its own here.
      if (shared) markDeliveriesDue(trx);
      else await sql`select pg_notify(${DELIVERIES_CHANNEL}, '')`.execute(trx);
    }
    return value;
  };
  const value = await retryingConflicts(() =>
    shared ? shared.run(marking) : db.transaction().execute(marking),
  );
  // Committed (a shared commit answers only after its commit): wake whoever sends what is now due.
  scope?.committed();
  // The worker woken here works for no request: none of its transactions is the request's.
  if (due) runOutsideTransactionScope(() => deliveriesDueListener(db)?.());
  return value;
}

/**
 * As {@link runInTransaction}, for a transaction that takes a lock many others wait for (the
 * company's audit chain): on PostgreSQL not in a shared commit, where the lock would be held for the
 * batch's other transactions too, until its commit; SQLite, one writer at a time anyway, shares it.
 */
export function runInTransactionApart<T>(
  db: Kysely<Tables>,
  work: (trx: Kysely<Tables>) => Promise<T>,
): Promise<T> {
  return runInTransaction(db, work, { share: dialectOf(db) === 'sqlite' });
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
  if (dialectOf(db) === 'sqlite') return runInTransaction(db, work);
  // Not in a shared commit: `set local` would turn the flush off for the API's transactions in it.
  return runInTransaction(
    db,
    async (trx) => {
      await sql`set local synchronous_commit = off`.execute(trx);
      return work(trx);
    },
    { share: false },
  );
}
