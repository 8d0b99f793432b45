import type SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Database } from './database.js';
import { DELIVERIES_CHANNEL } from './pg-shared-commit.js';
/** How often a SQLite worker looks for other processes' commits (one tiny read). */
export const SQLITE_WATCH_MS = 10;

/**
 * Tells delivery workers that new deliveries are due. In one process that is a function call; on
 * PostgreSQL the transaction that made them due also sent `NOTIFY` with its commit (transaction.ts),
 * so workers in other processes wake at once instead of at their next poll, at no round trip of its
 * own; a shared commit notifies once for all its transactions. On SQLite a listening worker reads
 * `data_version` every 10 ms, which changes when another process (`zupy serve --no-worker`, `zupy
 * import`) commits: a wake-up within milliseconds instead of the 250 ms poll, for a read costing ~2 µs.
 */
export interface Wakeups {
  notify(): void;
  /** Calls `onWake` on every notification from any process, until `close`. */
  listen(onWake: () => void): void;
  close(): Promise<void>;
}

export function createWakeups(database: Database, onError: (error: Error) => void): Wakeups {
  const local = new Set<() => void>();
  let client: pg.Client | null = null;
  let closed = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let watchTimer: NodeJS.Timeout | undefined;

  // Other processes' commits change `data_version`; this connection's own never do.
  const watchSqlite = (): void => {
    const connection = database.sqlite;
    if (connection === undefined || watchTimer !== undefined) return;
    let statement: SQLite.Statement | null = null;
    let seen: unknown;
    let looking = false;
    watchTimer = setInterval(() => {
      if (looking) return;
      looking = true;
      connection
        .run((sqlite) => (statement ??= sqlite.prepare('pragma data_version').pluck()).get())
        .then((version) => {
          if (seen !== undefined && version !== seen) local.forEach((wake) => wake());
          seen = version;
        })
        .catch(onError)
        .finally(() => {
          looking = false;
        });
    }, SQLITE_WATCH_MS).unref();
  };

  const connect = (): void => {
    if (closed || database.url === undefined) return;
    const c = new pg.Client({ connectionString: database.url });
    client = c;
    const retry = (error: Error): void => {
      onError(error);
      c.removeAllListeners();
      // A dying connection can emit more than one error (the shutdown notice, then the hang-up).
      c.on('error', () => undefined);
      void c.end().catch(() => undefined);
      if (client === c) client = null;
      // The server restarted or the network dropped: listen again; polling covers the gap.
      if (!closed) reconnectTimer = setTimeout(connect, 1000);
    };
    c.on('error', retry);
    c.on('notification', () => local.forEach((wake) => wake()));
    c.connect()
      .then(() => c.query(`LISTEN ${DELIVERIES_CHANNEL}`))
      .catch(retry);
  };

  return {
    notify() {
      local.forEach((wake) => wake());
    },
    listen(onWake) {
      local.add(onWake);
      if (database.dialect === 'postgres' && client === null) connect();
      if (database.dialect === 'sqlite') watchSqlite();
    },
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      clearInterval(watchTimer);
      local.clear();
      await client?.end().catch(() => undefined);
    },
  };
}
