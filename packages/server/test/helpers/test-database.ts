import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** The server test suite runs twice: on SQLite, and (project server-pg) on a real PostgreSQL. */
export const onPostgres = process.env.ZUPY_TEST_DB === 'postgres';

/** A new empty PostgreSQL database for one test server, or `undefined` on SQLite. */
export async function freshDatabaseUrl(): Promise<string | undefined> {
  if (!onPostgres) return undefined;
  const admin = inject('pgAdminUrl');
  const name = `zupy_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return admin.replace(/\/[^/]*$/, `/${name}`);
}

/** Environment for a `zupy` subprocess on the same database as a test. */
export function databaseEnv(databaseUrl: string | undefined): Record<string, string> {
  return databaseUrl ? { ZUPY_DATABASE_URL: databaseUrl } : {};
}
