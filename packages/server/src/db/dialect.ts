import { PostgresAdapter, type Kysely } from 'kysely';

/** The SQL engines Zupy runs on. Feature code never branches on this; db/ does. */
export type DialectName = 'sqlite' | 'postgres';

/**
 * The engine behind a database handle, a transaction or a connection, read off its executor's
 * adapter, so feature code never carries the dialect around.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
