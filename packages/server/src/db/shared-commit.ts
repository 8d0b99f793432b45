import { CompiledQuery, type Kysely } from 'kysely';
import type { Tables } from './tables.js';

/** At most this many transactions share one commit, so none waits long behind the others. */
const MAX_SHARED = 64;

const BEGIN = CompiledQuery.raw('begin immediate');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');
const SAVEPOINT = CompiledQuery.raw('savepoint one_transaction');
const RELEASE = CompiledQuery.raw('release one_transaction');
const ROLLBACK_TO = CompiledQuery.raw('rollback to one_transaction');

interface Job {
  work: (db: Kysely<Tables>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  value?: unknown;
}

/**
 * Shared commits for SQLite. Its one connection runs one transaction at a time anyway; here the
 * transactions that arrive together (the requests read in one turn of the event loop) run one after
 * another inside one `begin immediate … commit`, each in its own savepoint. One that fails rolls back
 * to its savepoint and leaves the others alone; each caller hears back once the shared commit is
 * done — or, if the commit fails, they all fail and nothing of theirs was written. Each stays as
 * atomic as on its own; the commit, which writes every changed page to the WAL, is paid once per
 * batch instead of once per request.
 */
export class SharedCommits {
  private readonly queue: Job[] = [];
  private scheduled = false;
  /** Shared commits so far (for tests and metrics). */
  commits = 0;

  constructor(
    private readonly db: Kysely<Tables>,
    /** Whether the connection is inside a transaction (better-sqlite3's `inTransaction`). */
    private readonly inTransaction: () => boolean,
  ) {}

  run<T>(work: (db: Kysely<Tables>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: the requests that arrived with this one join it.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = await this.db.connection().execute((connection) => this.runBatch(connection));
        for (const job of batch) job.resolve(job.value);
      }
    } catch (error) {
      // The connection itself failed (a closed database): nothing queued can run.
      for (const job of this.queue.splice(0)) job.reject(error);
    } finally {
      this.scheduled = false;
    }
  }

  /** Runs queued transactions inside one; returns those to resolve, having rejected any that failed. */
  private async runBatch(connection: Kysely<Tables>): Promise<Job[]> {
    const done: Job[] = [];
    let current: Job | undefined;
    try {
      await connection.executeQuery(BEGIN);
      while (this.queue.length > 0 && done.length < MAX_SHARED) {
        current = this.queue.shift()!;
        await connection.executeQuery(SAVEPOINT);
        try {
          current.value = await current.work(connection);
          await connection.executeQuery(RELEASE);
          done.push(current);
        } catch (error) {
          // A failed statement leaves the transaction open; a few errors (disk full, I/O) end it.
          if (!this.inTransaction()) throw error;
          await connection.executeQuery(ROLLBACK_TO);
          await connection.executeQuery(RELEASE);
          current.reject(error);
        }
        current = undefined;
      }
      await connection.executeQuery(COMMIT);
      this.commits++;
      return done;
    } catch (error) {
      // Nothing of this batch was committed: every transaction in it fails (callers may retry).
      if (this.inTransaction()) await connection.executeQuery(ROLLBACK).catch(() => undefined);
      current?.reject(error);
      for (const job of done) job.reject(error);
      // The lock itself was refused (busy): what is queued would meet the same refusal; fail it now
      // too, so that callers retry after their pause instead of at once.
      if (done.length === 0 && current === undefined) {
        for (const job of this.queue.splice(0)) job.reject(error);
      }
      return [];
    }
  }
}

/** What runs transactions in shared commits: SQLite's above, PostgreSQL's (pg-shared-commit.ts). */
export interface CommitSharing {
  run<T>(work: (db: Kysely<Tables>) => Promise<T>): Promise<T>;
  readonly commits: number;
}

const sharedCommits = new WeakMap<Kysely<Tables>, CommitSharing>();

/** Makes `runInTransaction(db, …)` share commits on this (SQLite) database. */
export function shareCommits(db: Kysely<Tables>, inTransaction: () => boolean): void {
  sharedCommits.set(db, new SharedCommits(db, inTransaction));
}

/** Makes `runInTransaction(db, …)` share commits through `sharing` (PostgreSQL). */
export function shareCommitsThrough(db: Kysely<Tables>, sharing: CommitSharing): void {
  sharedCommits.set(db, sharing);
}

export function sharedCommitsOf(db: Kysely<Tables>): CommitSharing | undefined {
  return sharedCommits.get(db);
}
