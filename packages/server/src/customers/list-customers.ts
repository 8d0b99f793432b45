import { foldedContains } from '../db/folded-text.js';
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
}

/** The company's customers, newest first; balances as of now (less what has expired, sweep or not). */
export async function listCustomers(
  source: ListSource & { clock: Clock },
  companyId: string,
  query: ListCustomersQuery,
): Promise<Page<CustomerProfile>> {
  const before = source.cursors.decode(companyId, query.cursor);
  let q = source.db
    .selectFrom('customers')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('erased_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(query.pageSize + 1);
  if (before !== undefined) q = q.where('id', '<', before);
  if (query.tier !== undefined) q = q.where('tier', '=', query.tier);
  const search = query.search?.trim();
  if (search) {
    const digits = search.replace(/\D/g, '');
    // Case and accents ignored: "conceicao" finds "Conceição" (db/folded-text.ts).
    const contains = (column: 'name' | 'email' | 'member_id' | 'whatsapp' | 'cpf', text: string) =>
      foldedContains(source.db, column, text);
    const conditions = [contains('name', search), contains('email', search), contains('member_id', search)];
    if (digits.length >= 3) conditions.push(contains('whatsapp', digits), contains('cpf', digits));
    q = q.where((eb) => eb.or(conditions));
  }
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
  return toPage(rows, query.pageSize, (r) => Number(r.id), current, {
    cursors: source.cursors,
    companyId,
  });
}
