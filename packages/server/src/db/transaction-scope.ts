import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';

/**
 * What the transactions run on behalf of one request (or one CLI command) must also write, in each
 * transaction of theirs, so that it is committed with the change or not at all: the audit entry
 * (audit/audit-scope.ts). `runInTransaction` calls `beforeCommit` after the transaction's work and
 * `committed` once it has committed; a transaction that fails (and its retries' failed attempts)
 * took what `beforeCommit` wrote with it.
 */
export interface TransactionScope {
  beforeCommit(trx: Kysely<Tables>, value: unknown): Promise<void>;
  committed(): void;
}

const scopes = new AsyncLocalStorage<TransactionScope>();

/** Runs `work` (and whatever it starts) with `scope` as the scope of its transactions. */
export function runInTransactionScope<T>(scope: TransactionScope, work: () => T): T {
  return scopes.run(scope, work);
}

/** Runs `work` outside any scope: for a process's own bookkeeping started during a request. */
export function runOutsideTransactionScope<T>(work: () => T): T {
  return scopes.exit(work);
}

/** The scope of the caller, if any: read when a transaction is asked for, not when it runs. */
export function currentTransactionScope(): TransactionScope | undefined {
  return scopes.getStore();
}
