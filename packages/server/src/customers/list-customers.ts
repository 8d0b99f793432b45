import { foldedContains } from '../db/folded-text.js';
import { toPage, type ListSource, type Page } from '../shared/cursor.js';
import { toCustomerProfile, type CustomerProfile } from './customer-profile.js';

export interface ListCustomersQuery {
  tier?: string | undefined;
  /** Part of a name, e-mail, phone, CPF or member id. */
  search?: string | undefined;
  cursor?: string | undefined;
  pageSize: number;
}

/** The company's customers, newest first. */
export async function listCustomers(
  source: ListSource,
  companyId: string,
  query: ListCustomersQuery,
): Promise<Page<CustomerProfile>> {
  const before = source.cursors.decode(companyId, query.cursor);
  let q = source.db
    .selectFrom('customers')
    .selectAll()
    .where('company_id', '=', companyId)
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
  return toPage(rows, query.pageSize, (r) => Number(r.id), toCustomerProfile, {
    cursors: source.cursors,
    companyId,
  });
}
