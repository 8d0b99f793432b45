import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** How often the checkpoint thread copies the WAL into the database. */
export const CHECKPOINT_EVERY_MS = 100;
/** SQLite's own default, restored if the checkpoint thread stops working. */
const AUTOCHECKPOINT_PAGES = 1000;

export interface BackgroundCheckpoints {
  /**
   * Copies the whole WAL into the database and truncates it to zero bytes (`wal_checkpoint(TRUNCATE)`)
   * on the thread, giving its space back to the filesystem. Rejects with SQLite's error (its `code`
   * kept) when the checkpoint fails, e.g. `SQLITE_FULL` when the database cannot grow; resolves when
   * readers kept it from finishing (it is retried at the next call).
   */
  truncate(): Promise<void>;
  /** Stops the thread after its current checkpoint and closes its connection. */
  stop(): Promise<void>;
}

export interface BackgroundCheckpointOptions {
  intervalMs?: number;
  /** The module that opens the database in the thread (better-sqlite3; tests name a broken one). */
  driver?: string;
  /** Called when the thread fails; the connection then checkpoints on its own again. */
  onError?: (error: Error) => void;
  /**
   * The WAL's bound: past it the thread's checkpoint truncates it; on a disk low on space, past a
   * quarter of the space left (unset: no bound). The connection's `journal_size_limit` should be the
   * same (database.ts sets both).
   */
  walSizeLimitBytes?: number;
  /** Told when the disk's free space falls under four bounds (`low`), and when it is over five again. */
  onLowSpace?: (low: boolean, freeBytes: number) => void;
}

// Plain CommonJS run by `new Worker(…, { eval: true })`: works from the TypeScript sources in tests
// and from dist alike. Errors are reported and the loop goes on (a checkpoint may meet a busy lock).
const THREAD = `
const fs = require('node:fs');
const path = require('node:path');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
const checkpoint = db.prepare('pragma wal_checkpoint(PASSIVE)');
const truncate = db.prepare('pragma wal_checkpoint(TRUNCATE)');
const failure = (error) => ({
  code: error && typeof error.code === 'string' ? error.code : undefined,
  message: String(error && error.message ? error.message : error),
});
const limit = workerData.walSizeLimitBytes;
const dir = path.dirname(workerData.file);
const freeBytes = () => {
  try {
    const { bavail, bsize } = fs.statfsSync(dir);
    return bavail * bsize;
  } catch {
    return Infinity;
  }
};
const walBytes = () => {
  try {
    return fs.statSync(workerData.file + '-wal').size;
  } catch {
    return 0;
  }
};
let low = false;
let reported = false;
const timer = setInterval(() => {
  try {
    checkpoint.get();
    if (limit !== null) {
      // Low on space under four bounds free (back to normal over five).
      const free = freeBytes();
      if (low ? free > 5 * limit : free < 4 * limit) {
        low = !low;
        parentPort.postMessage({ type: 'space', low, freeBytes: free });
      }
      if (walBytes() > (low ? free / 4 : limit)) truncate.get();
    }
    reported = false;
  } catch (error) {
    if (!reported) parentPort.postMessage({ type: 'error', ...failure(error) });
    reported = true;
  }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message.type === 'truncate') {
    try {
      truncate.get();
      parentPort.postMessage({ type: 'truncated', id: message.id });
    } catch (error) {
      parentPort.postMessage({ type: 'truncated', id: message.id, error: failure(error) });
    }
    return;
  }
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Moves SQLite's WAL checkpoints off the event loop. By default the connection that commits copies
 * the WAL into the database itself every 1,000 pages, fsyncs included: a stall of several
 * milliseconds (tens with a large WAL) in the middle of API requests and deliveries, the biggest
 * part of the latency tail. Here the connection never checkpoints; a thread with its own connection
 * runs a PASSIVE checkpoint every 100 ms, which never blocks readers or the writer. Checkpoints sync
 * the WAL and the database at `synchronous = NORMAL` on that connection too, so what `syncToDisk()`
 * made durable stays durable when the WAL is reused (wal-sync.ts).
 *
 * The WAL's bound. The WAL starts over only when a write begins after a checkpoint caught up with
 * it; under steady writes that rarely happens, and it grows until the load pauses. So once the file
 * passes `walSizeLimitBytes`, the thread's checkpoint is a TRUNCATE: it waits for the write in
 * progress, holds the next ones back while it copies what the last PASSIVE one left (100 ms of
 * writes at most) and empties the file, giving its space back to the disk.
 *
 * Low on space (under four bounds free, 64 MB by default) that is not enough. A write that meets a
 * full disk has already spread its pages over the last free space; the checkpoint then needs new
 * space to grow the database by what the WAL holds that is not copied yet, none is left, and every
 * write fails although the WAL holds megabytes it could give back; space freed by the operator is
 * eaten by the next writes the same way. So, low on space, the WAL may hold a quarter of what is
 * left, and the connection checkpoints after each of its commits (`wal_autocheckpoint = 1`, on the
 * event loop: slower, the price of a nearly full disk): nothing committed waits to be copied, a
 * truncating checkpoint needs no space, and the WAL's space comes back as soon as it runs.
 *
 * If the thread fails, the connection checkpoints on its own again: slower, never unbounded.
 */
export function startBackgroundCheckpoints(
  file: string,
  sqlite: SQLite.Database,
  options: BackgroundCheckpointOptions = {},
): BackgroundCheckpoints {
  sqlite.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(THREAD, {
    eval: true,
    workerData: {
      file,
      driver: options.driver ?? createRequire(import.meta.url).resolve('better-sqlite3'),
      intervalMs: options.intervalMs ?? CHECKPOINT_EVERY_MS,
      walSizeLimitBytes: options.walSizeLimitBytes ?? null,
    },
    // The thread holds a connection and a timer; keep its heap small (RSS counts it).
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
  });
  worker.unref();
  let stopping = false;
  let failed = false;
  const fallBack = (error: Error): void => {
    if (failed) return;
    failed = true;
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    options.onError?.(error);
  };
  const truncations = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 0;
  worker.on('message', (message: ThreadMessage) => {
    if (message.type === 'space') {
      // Low on space, the connection checkpoints after each commit of its own: see above.
      if (!failed && sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${message.low ? 1 : 0}`);
      options.onLowSpace?.(message.low, message.freeBytes);
      return;
    }
    if (message.type === 'error') {
      options.onError?.(threadError(`WAL checkpoint: ${message.message}`, message.code));
      return;
    }
    const waiting = truncations.get(message.id);
    truncations.delete(message.id);
    if (message.error) waiting?.reject(threadError(message.error.message, message.error.code));
    else waiting?.resolve();
  });
  worker.on('error', fallBack);
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      if (!stopping) fallBack(new Error(`the WAL checkpoint thread exited (code ${code})`));
      for (const waiting of truncations.values()) waiting.resolve();
      truncations.clear();
      resolve();
    });
  });
  return {
    async truncate() {
      if (stopping) return;
      // Without the thread (rare): on the connection itself, blocking the event loop meanwhile.
      if (failed) {
        sqlite.pragma('wal_checkpoint(TRUNCATE)');
        return;
      }
      const id = nextId++;
      await new Promise<void>((resolve, reject) => {
        truncations.set(id, { resolve, reject });
        worker.postMessage({ type: 'truncate', id });
      });
    },
    async stop() {
      if (stopping) return exited;
      stopping = true;
      // Unreferenced so that it never keeps a process alive, but waited for here: referenced again.
      worker.ref();
      worker.postMessage({ type: 'stop' });
      await exited;
    },
  };
}

type ThreadMessage =
  | { type: 'space'; low: boolean; freeBytes: number }
  | { type: 'error'; code?: string; message: string }
  | { type: 'truncated'; id: number; error?: { code?: string; message: string } };

/** An error from the thread, with SQLite's code (`SQLITE_FULL` …) so that it is told apart. */
function threadError(message: string, code: string | undefined): Error {
  const error = new Error(message);
  return code === undefined ? error : Object.assign(error, { code });
}
