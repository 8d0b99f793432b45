import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { SQLITE_FOLD_FUNCTION, foldText } from './folded-text.js';
import type { SqliteDriver } from 'kysely';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
} from 'kysely';
import pg from 'pg';
import type { DialectName } from './dialect.js';
import { startBackgroundCheckpoints } from './background-checkpoints.js';
import { ensurePrivateDir, ensurePrivateFile } from './private-files.js';
import { namingStatements } from './named-statements.js';
import { PgSharedCommits } from './pg-shared-commit.js';
import { shareCommits, shareCommitsThrough } from './shared-commit.js';
import { writeStorageProbe } from './storage-probe.js';
import { createWalSync, sqliteCommitMark } from './wal-sync.js';
import type { Tables } from './tables.js';

export type Db = Kysely<Tables>;

export interface Database {
  /** The API's connections (SQLite: the one connection). */
  readonly db: Db;
  /**
   * The delivery worker's, its e-mail sender's and its inbox processor's: on PostgreSQL a pool of
   * its own, so that deliveries do not queue behind registrations for a connection (and the other
   * way round); on SQLite the same connection as `db`.
   */
  readonly workerDb: Db;
  readonly dialect: DialectName;
  /** PostgreSQL only: the URL, for a dedicated LISTEN connection. */
  readonly url?: string;
  /**
   * Resolves once every transaction committed so far is on disk: call it before acknowledging a
   * change. SQLite commits without waiting for the disk and syncs here, once for many commits
   * (wal-sync.ts); PostgreSQL's commits are durable already.
   */
  syncToDisk(): Promise<void>;
  /**
   * One small durable write that needs new space on the disk (storage-probe.ts); on SQLite after a
   * truncating checkpoint that gives the WAL's space back. Rejects while the storage refuses writes:
   * storage-health.ts runs it, once a second at most, to learn when they succeed again.
   */
  probeWrite(): Promise<void>;
  /**
   * After an erasure: drops what the storage still keeps of overwritten rows. SQLite: truncates the
   * WAL, whose earlier frames hold the pages as they were (best effort: readers may keep it for the
   * next checkpoint); PostgreSQL: nothing (dead row versions go at the next VACUUM).
   */
  forgetOverwrittenData(): Promise<void>;
  /** SQLite only: the connection itself, for the delivery worker's hot path (delivery/store/sqlite-delivery-store.ts). */
  readonly sqlite?: SqliteConnection;
  close(): Promise<void>;
}

export interface SqliteConnection {
  /**
   * Runs `work` synchronously on the connection while no Kysely query or transaction holds it (it
   * takes Kysely's own connection lock), so that statements run through better-sqlite3 directly
   * never land inside someone else's transaction.
   */
  run<T>(work: (sqlite: SQLite.Database) => T): Promise<T>;
}

export const SQLITE_FILE_NAME = 'zupy.db';
/**
 * The API's connections per process (docs/operations.md, "PostgreSQL connections"). Up to 8 of them
 * run shared commits at once (pg-shared-commit.ts), each a batch of up to 32 requests, and 2 are
 * left for the reads between (an API key's lookup, a page of a list).
 */
export const DEFAULT_PG_POOL_SIZE = 10;
/**
 * The worker's connections per process, apart from the API's. Its hot path is one statement per
 * claim of an endpoint and one per batch of results; a claim, the recording of a batch, a failure's
 * record and the inbox processor or the e-mail sender may run at once.
 */
export const DEFAULT_PG_WORKER_POOL_SIZE = 4;
/** No statement may hold a connection longer than this. */
export const PG_STATEMENT_TIMEOUT_MS = 30_000;
/**
 * The WAL's bound: cut back to this size when it starts over after a checkpoint (`journal_size_limit`),
 * so that a burst or an import does not keep its high-water mark of disk space for good, and emptied
 * by a truncating checkpoint when steady writes keep it from starting over
 * (background-checkpoints.ts). Large enough that a busy server's WAL, reused every 100 ms, is not
 * cut and regrown each time.
 */
export const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;

export interface SqliteOptions {
  /** The WAL's bound (tests set a small one). */
  walSizeLimitBytes?: number;
}

/**
 * Opens the embedded SQLite database in WAL mode. Commits do not wait for the disk
 * (`synchronous=NORMAL`); `syncToDisk()` makes them durable in groups (wal-sync.ts), and the API calls
 * it before answering any change, so an accepted event survives a power loss too, not only a process
 * crash, without an fsync per request on the event loop. WAL checkpoints run on a thread of their own
 * (background-checkpoints.ts), not in the middle of a request.
 */
export function openSqlite(file: string, options: SqliteOptions = {}): Database {
  if (file !== ':memory:') {
    // Customers' personal data: a 0700 dir and 0600 files whatever the umask (private-files.ts).
    ensurePrivateDir(path.dirname(file));
    ensurePrivateFile(file, 'the database');
    for (const companion of [`${file}-wal`, `${file}-shm`]) {
      if (fs.existsSync(companion)) ensurePrivateFile(companion, 'the database');
    }
  }
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Case- and accent-insensitive search (folded-text.ts).
  sqlite.function(SQLITE_FOLD_FUNCTION, { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? foldText(text) : text,
  );
  // Deleted and overwritten content is zeroed, not left in free space: an erased customer's data
  // must not survive in the file (customers/erase-customer.ts).
  sqlite.pragma('secure_delete = ON');
  const walSizeLimitBytes = options.walSizeLimitBytes ?? WAL_SIZE_LIMIT_BYTES;
  sqlite.pragma(`journal_size_limit = ${walSizeLimitBytes}`);
  const db = new Kysely<Tables>({
    dialect: new ImmediateSqliteDialect({ database: cachingStatements(sqlite) }),
  });
  shareCommits(db, () => sqlite.inTransaction);
  const onDisk = file !== ':memory:';
  const wal = onDisk ? createWalSync(`${file}-wal`, sqliteCommitMark(sqlite)) : null;
  const checkpoints = onDisk
    ? startBackgroundCheckpoints(file, sqlite, {
        walSizeLimitBytes,
        onError: (error) => process.emitWarning(error),
        onLowSpace: (low, freeBytes) => {
          if (!low) return;
          process.emitWarning(
            `the disk under ${path.dirname(file)} has ${(freeBytes / 1024 / 1024).toFixed(1)} MB free: ` +
              'SQLite now checkpoints after every commit (slower) so that a full disk cannot wedge it; ' +
              'free space before writes fail',
            { code: 'ZUPY_DISK_LOW' },
          );
        },
      })
    : null;
  return {
    db,
    workerDb: db,
    dialect: 'sqlite',
    sqlite: { run: (work) => db.connection().execute(() => Promise.resolve(work(sqlite))) },
    syncToDisk: () => wal?.sync() ?? Promise.resolve(),
    async probeWrite() {
      // The checkpoint first: it needs the freed space to grow the database; the write then finds
      // an empty WAL and needs a page of new space itself.
      await checkpoints?.truncate();
      await writeStorageProbe(db, new Date());
      await wal?.sync();
    },
    async forgetOverwrittenData() {
      await checkpoints?.truncate();
    },
    async close() {
      // What the CLI wrote (an import, a new key, migrations) is on disk before the process reports success.
      await wal?.flush();
      await wal?.close();
      // Last: closing the only connection left checkpoints the WAL into the database and removes it.
      await checkpoints?.stop();
      await db.destroy();
    },
  };
}

/**
 * Transactions begin IMMEDIATE: they take the write lock first, waiting up to `busy_timeout` for it.
 * A deferred `begin` reads first and fails at once with SQLITE_BUSY when another process (`zupy
 * import` beside `zupy serve`) committed in between: its snapshot can no longer become a writer.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver() as SqliteDriver;
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/** Distinct SQL texts kept prepared; the app issues a few dozen, user input never reaches the SQL text. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query anew; preparing cost as much as running the query in the
 * delivery worker's profile. Statements are reusable, so keep them by SQL text (oldest dropped first).
 */
function cachingStatements(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/** int8 (bigint, count(*)) as a JS number: every counter here stays far below 2^53. */
const pgTypes = new pg.TypeOverrides();
pgTypes.setTypeParser(pg.types.builtins.INT8, 'text', (value: string) => Number(value));

export interface PostgresPoolSizes {
  /** The API's connections (DEFAULT_PG_POOL_SIZE). */
  api?: number;
  /** The worker's (DEFAULT_PG_WORKER_POOL_SIZE); opened only once the worker runs. */
  worker?: number;
}

export function openPostgres(url: string, sizes: PostgresPoolSizes = {}): Database {
  const db = openPostgresPool(url, sizes.api ?? DEFAULT_PG_POOL_SIZE);
  const workerDb = openPostgresPool(url, sizes.worker ?? DEFAULT_PG_WORKER_POOL_SIZE);
  return {
    db,
    workerDb,
    dialect: 'postgres',
    url,
    syncToDisk: () => Promise.resolve(),
    probeWrite: () => writeStorageProbe(db, new Date()),
    forgetOverwrittenData: () => Promise.resolve(),
    close: async () => {
      await Promise.all([db.destroy(), workerDb.destroy()]);
    },
  };
}

/** One pool of `poolSize` connections (opened as needed), its statements named, its commits shared. */
function openPostgresPool(url: string, poolSize: number): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: pgTypes,
    options: `-c statement_timeout=${PG_STATEMENT_TIMEOUT_MS}`,
    // A restarted server drops every connection: the pool replaces them on the next query.
    idleTimeoutMillis: 30_000,
  });
  // A client that loses its server emits 'error': an idle one through the pool, a checked-out one on
  // itself, where nothing else listens (the process would crash on PostgreSQL's restart). Its query
  // fails with the same error, and the pool drops the dead client when it is released.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: namingStatements(pool) }) });
  // Two connections stay free of shared commits, for the reads between them (an API key's lookup).
  shareCommitsThrough(db, new PgSharedCommits(db, Math.max(1, poolSize - 2)));
  return db;
}

export interface DatabaseLocation {
  dataDir: string;
  databaseUrl: string | undefined;
}

export function openDatabase(location: DatabaseLocation): Database {
  if (location.databaseUrl !== undefined) return openPostgres(location.databaseUrl);
  return openSqlite(path.join(location.dataDir, SQLITE_FILE_NAME));
}
