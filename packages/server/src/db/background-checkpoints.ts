import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** How often the checkpoint thread copies the WAL into the database. */
export const CHECKPOINT_EVERY_MS = 100;
/** SQLite's own default, restored if the checkpoint thread stops working. */
const AUTOCHECKPOINT_PAGES = 1000;

export interface BackgroundCheckpoints {
  /** Stops the thread after its current checkpoint and closes its connection. */
  stop(): Promise<void>;
}

export interface BackgroundCheckpointOptions {
  intervalMs?: number;
  /** The module that opens the database in the thread (better-sqlite3; tests name a broken one). */
  driver?: string;
  /** Called when the thread fails; the connection then checkpoints on its own again. */
  onError?: (error: Error) => void;
}

// Plain CommonJS run by `new Worker(…, { eval: true })`: works from the TypeScript sources in tests
// and from dist alike. Errors are reported and the loop goes on (a checkpoint may meet a busy lock).
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
const checkpoint = db.prepare('pragma wal_checkpoint(PASSIVE)');
let reported = false;
const timer = setInterval(() => {
  try {
    checkpoint.get();
    reported = false;
  } catch (error) {
    if (!reported) parentPort.postMessage(String(error && error.message ? error.message : error));
    reported = true;
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
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
  worker.on('message', (message: string) => options.onError?.(new Error(`WAL checkpoint: ${message}`)));
  worker.on('error', fallBack);
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      if (!stopping) fallBack(new Error(`the WAL checkpoint thread exited (code ${code})`));
      resolve();
    });
  });
  return {
    async stop() {
      if (stopping) return exited;
      stopping = true;
      // Unreferenced so that it never keeps a process alive, but waited for here: referenced again.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
