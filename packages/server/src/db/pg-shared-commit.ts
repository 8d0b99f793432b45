import { CompiledQuery, type Kysely } from 'kysely';
import { takeDeliveriesDueMark } from './deliveries-due.js';
import type { Tables } from './tables.js';

/**
 * At most this many transactions share one commit: each runs in a savepoint, a subtransaction, and
 * PostgreSQL keeps up to 64 of a transaction's subtransaction ids in shared memory; past that every
 * snapshot in the cluster has to look them up on disk (pg_subtrans).
 */
const MAX_SHARED = 32;

/** The channel delivery workers listen on (wakeups.ts); told in the commit that made work due. */
export const DELIVERIES_CHANNEL = 'zupy_deliveries';

// Simple-protocol strings, so that each pair of commands is one round trip.
const BEGIN = CompiledQuery.raw('begin; savepoint one_transaction');
const NEXT = CompiledQuery.raw('release one_transaction; savepoint one_transaction');
const ROLLBACK_TO = CompiledQuery.raw('rollback to one_transaction');
const COMMIT = CompiledQuery.raw('release one_transaction; commit');
const NOTIFY_AND_COMMIT = CompiledQuery.raw(`release one_transaction; notify ${DELIVERIES_CHANNEL}; commit`);
const ROLLBACK = CompiledQuery.raw('rollback');

interface Job {
  work: (db: Kysely<Tables>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  value?: unknown;
}

/**
 * Shared commits for PostgreSQL. Transactions that arrive together (the requests read in one turn
 * of the event loop) run one after another inside one `begin … commit` on one connection, each in
 * its own savepoint: one that fails rolls back to its savepoint and leaves the others alone; each
 * caller hears back once the shared commit is done — or, if the commit fails, they all fail and
 * nothing of theirs was written. Each stays as atomic as on its own; `synchronous_commit` stays on,
 * so the commit's WAL flush (an fsync) is paid once per batch instead of once per request, and
 * `begin`/`commit` once per batch: between two transactions, releasing one savepoint and starting
 * the next is one round trip. A batch that made deliveries due sends `NOTIFY` in its commit, so
 * workers in other processes hear of it with no round trip of its own.
 *
 * Up to `concurrency` batches run at once, each on its own pooled connection, so that one batch's
 * flush overlaps the next batch's statements. Row locks taken in a batch are held until its commit:
 * a deadlock between two batches aborts one, and its callers run again (transaction.ts).
 */
export class PgSharedCommits {
  private readonly queue: Job[] = [];
  private running = 0;
  private scheduled = false;
  /** Shared commits so far (for tests and metrics). */
  commits = 0;

  constructor(
    private readonly db: Kysely<Tables>,
    /** Batches at once: each holds a pooled connection while it runs. */
    private readonly concurrency: number,
  ) {}

  run<T>(work: (db: Kysely<Tables>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled && this.running < this.concurrency) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: the requests that arrived with this one join it.
        setImmediate(() => {
          this.scheduled = false;
          this.startBatches();
        });
      }
    });
  }

  private startBatches(): void {
    while (this.queue.length > 0 && this.running < this.concurrency) {
      const batch = this.queue.splice(0, MAX_SHARED);
      this.running++;
      void this.db
        .connection()
        .execute((connection) => this.runBatch(connection, batch))
        .then(
          (done) => {
            for (const job of done) job.resolve(job.value);
          },
          // No connection (PostgreSQL down, pool closed): nothing of this batch ran.
          (error: unknown) => {
            for (const job of batch) job.reject(error);
          },
        )
        .finally(() => {
          this.running--;
          this.startBatches();
        });
    }
  }

  /** Runs `batch` inside one transaction; returns those to resolve, having rejected any that failed. */
  private async runBatch(connection: Kysely<Tables>, batch: Job[]): Promise<Job[]> {
    const done: Job[] = [];
    let due = false;
    let i = 0;
    try {
      await connection.executeQuery(BEGIN);
      for (; i < batch.length; i++) {
        const job = batch[i]!;
        if (i > 0) await connection.executeQuery(NEXT);
        try {
          job.value = await job.work(connection);
          done.push(job);
        } catch (error) {
          // The savepoint undoes what the failed transaction did; the batch goes on. If even that
          // fails (the connection died), the batch fails below.
          await connection.executeQuery(ROLLBACK_TO);
          takeDeliveriesDueMark(connection);
          job.reject(error);
        }
        // A transaction that marked deliveries due: tell the listeners in this commit.
        if (takeDeliveriesDueMark(connection)) due = true;
      }
      await connection.executeQuery(due ? NOTIFY_AND_COMMIT : COMMIT);
      this.commits++;
      return done;
    } catch (error) {
      // Nothing of this batch was committed: every transaction in it fails (callers may retry).
      await connection.executeQuery(ROLLBACK).catch(() => undefined);
      for (const job of [...done, ...batch.slice(i)]) job.reject(error);
      return [];
    }
  }
}
