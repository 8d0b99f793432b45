import fs from 'node:fs/promises';

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
  /** How many fsyncs ran (for tests and metrics). */
  readonly syncs: number;
  close(): Promise<void>;
}

export function createWalSync(walPath: string): WalSync {
  let handle: fs.FileHandle | null = null;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let syncs = 0;

  const syncNow = async (): Promise<void> => {
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
  };

  const sync = (): Promise<void> => {
    if (running === null) {
      running = syncNow().finally(() => {
        running = null;
      });
      return running;
    }
    // A sync is already under way, but it may have started before this caller's commit: wait for
    // it, then for the next one, which every caller arriving meanwhile shares.
    queued ??= running.then(
      () => {
        queued = null;
        return sync();
      },
      () => {
        queued = null;
        return sync();
      },
    );
    return queued;
  };

  return {
    sync,
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
