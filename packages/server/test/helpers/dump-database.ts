import { sql, type Kysely } from 'kysely';
import type { Tables } from '../../src/db/tables.js';

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
