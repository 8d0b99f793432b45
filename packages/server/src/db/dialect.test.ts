import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type Database } from './database.js';
import { dialectOf } from './dialect.js';

describe('dialectOf', () => {
  let database: Database | undefined;
  afterEach(async () => database?.close());

  it('reads SQLite off a handle, a transaction and a connection of it', async () => {
    database = openSqlite(':memory:');
    const db = database.db;
    expect(dialectOf(db)).toBe('sqlite');
    await db.transaction().execute((trx) => Promise.resolve(expect(dialectOf(trx)).toBe('sqlite')));
    await db.connection().execute((c) => Promise.resolve(expect(dialectOf(c)).toBe('sqlite')));
  });

  it('reads PostgreSQL off a handle (no connection needed)', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1:1/none' });
    const db = new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
    expect(dialectOf(db)).toBe('postgres');
    expect(dialectOf(db.withSchema('public'))).toBe('postgres');
    await db.destroy();
  });
});
