import { elementsOf } from '../../orders/partners/partner.js';
import { partnerNamed } from '../../orders/partners/index.js';
import type { ErasureStep } from './erasure-step.js';

/** What an erased order of a partner's body becomes: the rest of the batch is other people's. */
const ERASED_ORDER = { erased: true };

/**
 * `partner_inbox`: the raw bodies partners' order feeds sent hold the person's name, phone, e-mail
 * and CPF beside other customers' orders. Each processed body whose outcomes credited or enrolled
 * this member has those orders replaced by `{"erased": true}` (the others stay); its SHA-256 stays,
 * so the same bytes sent again are still a duplicate, and the outcomes keep only the member id.
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
      const indexes = outcomes.filter((o) => o.member_id === subject.memberId).map((o) => o.index);
      const adapter = partnerNamed(row.partner);
      let body = JSON.parse(row.body) as unknown;
      const orders = adapter ? elementsOf(body, adapter.elementKeys) : [];
      // A body that was one order object is that order.
      if (orders.length === 1 && orders[0] === body) body = ERASED_ORDER;
      else for (const index of indexes) if (index < orders.length) orders[index] = ERASED_ORDER;
      if (!adapter) body = ERASED_ORDER;
      await trx
        .updateTable('partner_inbox')
        .set({ body: JSON.stringify(body) })
        .where('id', '=', row.id)
        .execute();
    }
  },
};
