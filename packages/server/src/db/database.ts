import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
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
import type { Tables } from './tables.js';

export type Db = Kysely<Tables>;

export interface Database {
  readonly db: Db;
  readonly dialect: DialectName;
  /** PostgreSQL only: the URL, for a dedicated LISTEN connection. */
  readonly url?: string;
  close(): Promise<void>;
}

export const SQLITE_FILE_NAME = 'zupy.db';
/** Connections per process; API and worker processes each have their own pool. */
export const DEFAULT_PG_POOL_SIZE = 10;
/** No statement may hold a connection longer than this. */
export const PG_STATEMENT_TIMEOUT_MS = 30_000;

/**
 * Opens the embedded SQLite database in WAL mode. `synchronous=FULL` makes every commit durable
 * before the API answers, so an accepted event survives a power loss too, not only a process crash.
 */
export function openSqlite(file: string): Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Tables>({
    dialect: new ImmediateSqliteDialect({ database: cachingStatements(sqlite) }),
  });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
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

export function openPostgres(url: string, poolSize = DEFAULT_PG_POOL_SIZE): Database {
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
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', url, close: () => db.destroy() };
}

export interface DatabaseLocation {
  dataDir: string;
  databaseUrl: string | undefined;
}

export function openDatabase(location: DatabaseLocation): Database {
  if (location.databaseUrl !== undefined) return openPostgres(location.databaseUrl);
  return openSqlite(path.join(location.dataDir, SQLITE_FILE_NAME));
}
