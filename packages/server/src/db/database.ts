import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { DialectName } from './dialect.js';
import type { Tables } from './tables.js';

export type Db = Kysely<Tables>;

export interface Database {
  readonly db: Db;
  readonly dialect: DialectName;
  close(): Promise<void>;
}

export const SQLITE_FILE_NAME = 'zupy.db';

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
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

export interface DatabaseLocation {
  dataDir: string;
  databaseUrl: string | undefined;
}

export function openDatabase(location: DatabaseLocation): Database {
  if (location.databaseUrl !== undefined) {
    throw new Error('PostgreSQL is not supported yet: unset ZUPY_DATABASE_URL to use embedded SQLite');
  }
  return openSqlite(path.join(location.dataDir, SQLITE_FILE_NAME));
}
