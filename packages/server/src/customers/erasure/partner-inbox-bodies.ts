import type { Kysely } from 'kysely';
import type { Tables } from '../../db/tables.js';
import { identifiersOf } from '../../orders/order-identifiers.js';
import { elementsOf } from '../../orders/partners/partner.js';
import { partnerNamed } from '../../orders/partners/index.js';
import type { ErasureStep, ErasureSubject } from './erasure-step.js';

/** What an erased order of a partner's body becomes: the rest of the batch is other people's. */
const ERASED_ORDER = { erased: true };

/** `body` with the orders at `indexes` replaced by {@link ERASED_ORDER} (all of it for an unknown partner). */
function eraseOrders(partner: string, text: string, erase: (order: number) => boolean): string {
  const adapter = partnerNamed(partner);
  if (!adapter) return JSON.stringify(ERASED_ORDER);
  let body = JSON.parse(text) as unknown;
  const orders = elementsOf(body, adapter.elementKeys);
  // A body that was one order object is that order.
  if (orders.length === 1 && orders[0] === body) body = erase(0) ? ERASED_ORDER : body;
  else for (let i = 0; i < orders.length; i++) if (erase(i)) orders[i] = ERASED_ORDER;
  return JSON.stringify(body);
}

/**
 * Bodies not processed yet: their orders that name the person (by phone, e-mail or CPF, as matching
 * reads them) would enrol them again once processed; they are erased before that can happen.
 */
async function scrubPendingBodies(trx: Kysely<Tables>, subject: ErasureSubject): Promise<void> {
  const { person } = subject;
  const pending = await trx
    .selectFrom('partner_inbox')
    .select(['id', 'partner', 'body'])
    .where('company_id', '=', subject.companyId)
    .where('processed_at', 'is', null)
    .execute();
  for (const row of pending) {
    const adapter = partnerNamed(row.partner);
    let orders;
    try {
      orders = adapter?.orders(JSON.parse(row.body)) ?? [];
    } catch {
      continue; // not JSON: it names nobody the processor could enrol (it fails as malformed)
    }
    const names = orders.map((order) => {
      const ids = identifiersOf(order);
      return (
        (ids.whatsapp !== null && ids.whatsapp === person.whatsapp) ||
        (ids.email !== null && ids.email === person.email) ||
        (ids.cpf !== null && ids.cpf === person.cpf)
      );
    });
    if (!names.includes(true)) continue;
    await trx
      .updateTable('partner_inbox')
      .set({ body: eraseOrders(row.partner, row.body, (i) => names[i] === true) })
      .where('id', '=', row.id)
      .execute();
  }
}

/**
 * `partner_inbox`: the raw bodies partners' order feeds sent hold the person's name, phone, e-mail
 * and CPF beside other customers' orders. Each processed body whose outcomes credited or enrolled
 * this member has those orders replaced by `{"erased": true}` (the others stay); its SHA-256 stays,
 * so the same bytes sent again are still a duplicate, and the outcomes keep only the member id. A
 * body still waiting to be processed has the orders that name the person erased the same way, so
 * that processing it afterwards does not enrol them again.
 */
export const scrubPartnerInboxBodies: ErasureStep = {
  table: 'partner_inbox',
  async run(trx, subject) {
    const rows = await trx
      .selectFrom('partner_inbox')
      .select(['id', 'partner', 'body', 'outcomes'])
      .where('company_id', '=', subject.companyId)
      .where('outcomes', 'like', `%"member_id":"${subject.memberId}"%`)
      .execute();
    for (const row of rows) {
      const outcomes = JSON.parse(row.outcomes ?? '[]') as { index: number; member_id: string | null }[];
      const indexes = new Set(outcomes.filter((o) => o.member_id === subject.memberId).map((o) => o.index));
      await trx
        .updateTable('partner_inbox')
        .set({ body: eraseOrders(row.partner, row.body, (i) => indexes.has(i)) })
        .where('id', '=', row.id)
        .execute();
    }
    await scrubPendingBodies(trx, subject);
  },
};
