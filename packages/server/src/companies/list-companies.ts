import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { ZupyError, notFound } from '../errors.js';

export interface CompanySummary {
  company_id: string;
  name: string;
  created_at: string;
}

/** Every company, oldest first. */
export async function listCompanies(db: Kysely<Tables>): Promise<CompanySummary[]> {
  const rows = await db
    .selectFrom('companies')
    .select(['id', 'name', 'created_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ company_id: r.id, name: r.name, created_at: r.created_at }));
}

/**
 * The company a command acts on: the one named, which must exist, or — when none is named — the
 * only one there is (a fresh install has just the demo company). With several, the caller must choose.
 */
export async function resolveCompanyId(db: Kysely<Tables>, given: string | undefined): Promise<string> {
  if (given !== undefined) {
    const row = await db.selectFrom('companies').select('id').where('id', '=', given).executeTakeFirst();
    if (!row) throw notFound(`company ${given}`);
    return row.id;
  }
  const companies = await listCompanies(db);
  if (companies.length === 1) return companies[0]!.company_id;
  if (companies.length === 0)
    throw new ZupyError('ZUPY_NOT_FOUND', 'there is no company yet; create one with `zupy company create`');
  throw new ZupyError(
    'ZUPY_VALIDATION_FAILED',
    `there are ${companies.length} companies; choose one with --company (${companies.map((c) => c.company_id).join(', ')})`,
  );
}
