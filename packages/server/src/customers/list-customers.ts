import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { decodeCursor, toPage, type Page } from '../shared/cursor.js';
import { toCustomerProfile, type CustomerProfile } from './customer-profile.js';

export interface ListCustomersQuery {
  tier?: string | undefined;
  /** Part of a name, e-mail, phone, CPF or member id. */
  search?: string | undefined;
  cursor?: string | undefined;
  pageSize: number;
}

function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The company's customers, newest first. */
export async function listCustomers(
  db: Kysely<Tables>,
  companyId: string,
  query: ListCustomersQuery,
): Promise<Page<CustomerProfile>> {
  const before = decodeCursor(query.cursor);
  let q = db
    .selectFrom('customers')
    .selectAll()
    .where('company_id', '=', companyId)
    .orderBy('id', 'desc')
    .limit(query.pageSize + 1);
  if (before !== undefined) q = q.where('id', '<', before);
  if (query.tier !== undefined) q = q.where('tier', '=', query.tier);
  const search = query.search?.trim();
  if (search) {
    const pattern = likePattern(search);
    const digits = search.replace(/\D/g, '');
    q = q.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['name']), 'like', eb.val(pattern)),
        eb('email', 'like', pattern),
        eb(eb.fn('lower', ['member_id']), 'like', eb.val(pattern)),
        ...(digits.length >= 3
          ? [eb('whatsapp', 'like', likePattern(digits)), eb('cpf', 'like', likePattern(digits))]
          : []),
      ]),
    );
  }
  const rows = await q.execute();
  return toPage(rows, query.pageSize, (r) => Number(r.id), toCustomerProfile);
}
