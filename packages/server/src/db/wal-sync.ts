import fs from 'node:fs/promises';
import type SQLite from 'better-sqlite3';

/**
 * Group commit for SQLite in WAL mode. Transactions commit at `synchronous = NORMAL`: the commit writes
 * its pages to the WAL but does not wait for the disk. Before anything is acknowledged, `sync()` makes
 * every commit so far durable with one `fdatasync` of the WAL file, on libuv's thread pool instead of
 * the event loop, shared by every request that committed meanwhile.
 *
 * Why that is enough: a committed transaction's frames are either still in the WAL (made durable by
 * the sync) or already copied into the database by a checkpoint, and at `NORMAL` SQLite syncs both
 * the WAL and the database during every checkpoint. This is what `synchronous = FULL` does at each
 * commit, paid once per batch.
 */
export interface WalSync {
  /** Resolves once every transaction committed before the call is on disk. */
  sync(): Promise<void>;
  /** Syncs whether or not anything seems to have been committed (closing; schema changes). */
  flush(): Promise<void>;
  /** How many fsyncs ran (for tests and metrics). */
  readonly syncs: number;
  close(): Promise<void>;
}

/**
 * Tells whether anything may have been committed since the last call: it returns a value that
 * changes when something was, or `null` when it cannot tell (a transaction is open).
 */
export type CommitMark = () => string | null;

/**
 * What changes when the connection (`total_changes()`) or any other connection, in this process or
 * another (`data_version`), committed something. Schema changes count in neither: `flush()` covers them.
 */
export function sqliteCommitMark(sqlite: SQLite.Database): CommitMark {
  const read = sqlite.prepare(
    'select total_changes() as changes, (select data_version from pragma_data_version) as version',
  );
  return () => {
    if (sqlite.inTransaction) return null;
    try {
      const row = read.get() as { changes: number; version: number };
      return `${row.changes} ${row.version}`;
    } catch {
      return null;
    }
  };
}

/**
 * Without `commitMark`, every call syncs (or waits for a sync that starts after it). With it, a call
 * made when nothing was committed since a sync began shares that sync, or returns at once if it is
 * over: the delivery worker, claiming what a request just committed, no longer waits for a second
 * fsync after the one the request's answer waits for (each is ~1 ms here, tens at the tail).
 */
export function createWalSync(walPath: string, commitMark?: CommitMark): WalSync {
  let handle: fs.FileHandle | null = null;
  let running: Promise<void> | null = null;
  let runningCovers = -1;
  let queued: Promise<void> | null = null;
  let syncs = 0;
  /** Commits seen so far, counted in "something changed since the last look" steps. */
  let generation = 0;
  let lastMark: string | null = null;
  let durable = -1;

  // The generation covering everything committed before now.
  const committedSoFar = (): number => {
    const mark = commitMark?.() ?? null;
    // Unknown (no tracking, or a transaction open that may commit right after): a new generation,
    // and the next look counts as changed too (lastMark stays null).
    if (mark === null || mark !== lastMark) generation++;
    lastMark = mark;
    return generation;
  };

  // Makes durable what was committed up to generation `covers` (observed by the caller just before).
  const syncNow = async (covers: number): Promise<void> => {
    if (handle === null) {
      try {
        handle = await fs.open(walPath, 'r+');
      } catch (error) {
        // No WAL yet: nothing was ever written, so nothing needs syncing.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
    }
    syncs++;
    await handle.datasync();
    durable = Math.max(durable, covers);
  };

  const start = (covers: number): Promise<void> => {
    runningCovers = covers;
    running = syncNow(covers).finally(() => {
      running = null;
    });
    return running;
  };

  const syncAfter = (needed: number): Promise<void> => {
    if (durable >= needed) return Promise.resolve();
    if (running === null) return start(needed);
    if (runningCovers >= needed) return running;
    // A sync is under way that started before this caller's commit: wait for it, then for the
    // next one, which every caller arriving meanwhile shares. It covers all committed until it starts.
    queued ??= running.then(syncQueued, syncQueued);
    return queued;
  };
  const syncQueued = (): Promise<void> => {
    queued = null;
    return syncAfter(committedSoFar());
  };

  const sync = (): Promise<void> => syncAfter(committedSoFar());
  const flush = (): Promise<void> => {
    lastMark = null;
    return syncAfter(committedSoFar());
  };

  return {
    sync,
    flush,
    get syncs() {
      return syncs;
    },
    async close() {
      while (running !== null || queued !== null) await (queued ?? running)?.catch(() => undefined);
      await handle?.close();
      handle = null;
    },
  };
}
