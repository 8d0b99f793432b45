import type { Kysely } from 'kysely';
import { foldedContains } from '../db/folded-text.js';
import type { Tables } from '../db/tables.js';
import { toPage, type ListSource, type Page } from '../shared/cursor.js';
import { pendingExpiries } from '../points/point-expiry.js';
import { getProgram } from '../program/program-store.js';
import type { Clock } from '../shared/clock.js';
import { toCustomerProfile, type CustomerProfile } from './customer-profile.js';

export interface ListCustomersQuery {
  tier?: string | undefined;
  /** Part of a name, e-mail, phone, CPF or member id. */
  search?: string | undefined;
  cursor?: string | undefined;
  pageSize: number;
  /** Count every match (all pages) into `meta.total`. */
  includeTotal?: boolean;
}

export type CustomerPage = Page<CustomerProfile> & { meta: { total?: number } };

/** The company's customers, newest first; balances as of now (less what has expired, sweep or not). */
export async function listCustomers(
  source: ListSource & { clock: Clock },
  companyId: string,
  query: ListCustomersQuery,
): Promise<CustomerPage> {
  const before = source.cursors.decode(companyId, query.cursor);
  const matches = matching(source.db, companyId, query);
  let q = matches
    .selectAll()
    .orderBy('id', 'desc')
    .limit(query.pageSize + 1);
  if (before !== undefined) q = q.where('id', '<', before);
  const rows = await q.execute();
  const expired = await pendingExpiries(
    source.db,
    await getProgram(source.db, companyId),
    companyId,
    rows.map((r) => r.member_id),
    source.clock(),
  );
  const current = (r: (typeof rows)[number]) =>
    toCustomerProfile({ ...r, points_balance: Number(r.points_balance) - (expired.get(r.member_id) ?? 0) });
  const page: CustomerPage = toPage(rows, query.pageSize, (r) => Number(r.id), current, {
    cursors: source.cursors,
    companyId,
  });
  if (query.includeTotal) {
    const counted = await matches
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst();
    page.meta.total = Number(counted?.n ?? 0);
  }
  return page;
}

/** The company's live customers matching the tier and the search (no cursor: all pages). */
function matching(db: Kysely<Tables>, companyId: string, query: ListCustomersQuery) {
  let q = db.selectFrom('customers').where('company_id', '=', companyId).where('erased_at', 'is', null);
  if (query.tier !== undefined) q = q.where('tier', '=', query.tier);
  const search = query.search?.trim();
  if (search) {
    const digits = search.replace(/\D/g, '');
    // Case and accents ignored: "conceicao" finds "Conceição" (db/folded-text.ts).
    const contains = (column: 'name' | 'email' | 'member_id' | 'whatsapp' | 'cpf', text: string) =>
      foldedContains(db, column, text);
    const conditions = [contains('name', search), contains('email', search), contains('member_id', search)];
    if (digits.length >= 3) conditions.push(contains('whatsapp', digits), contains('cpf', digits));
    q = q.where((eb) => eb.or(conditions));
  }
  return q;
}
