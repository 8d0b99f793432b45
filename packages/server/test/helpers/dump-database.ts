import { sql, type Kysely } from 'kysely';
import type { Tables } from '../../src/db/tables.js';
import { dialectOf } from '../../src/db/dialect.js';

const TABLES = [
  'companies',
  'api_keys',
  'loyalty_programs',
  'customers',
  'ledger_entries',
  'idempotency_keys',
  'events',
  'webhook_endpoints',
  'deliveries',
  'delivery_attempts',
] as const;

/** Every row of every table as text: to check that a secret appears nowhere in the database. */
export async function dumpDatabase(db: Kysely<Tables>): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    const rows = await sql`select * from ${sql.table(table)}`.execute(db);
    parts.push(JSON.stringify(rows.rows));
  }
  return parts.join('\n');
}

/**
 * Every row of every table the database has, found by asking it (not a list that a new table could
 * miss): to check that an erased person's data appears nowhere.
 */
export async function dumpEveryTable(db: Kysely<Tables>): Promise<{ tables: string[]; text: string }> {
  const names =
    dialectOf(db) === 'postgres'
      ? await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(db)
      : await sql<{ name: string }>`select name from sqlite_master where type = 'table' order by 1`.execute(
          db,
        );
  const tables = names.rows.map((r) => r.name);
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await sql`select * from ${sql.table(table)}`.execute(db);
    parts.push(`${table}: ${JSON.stringify(rows.rows)}`);
  }
  return { tables, text: parts.join('\n') };
}
