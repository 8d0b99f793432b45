import { sql } from 'kysely';
import type { ErasureStep } from './erasure-step.js';

/** What an erased customer's `whatsapp` becomes: unique per member (the column is unique), nothing personal. */
export const erasedPhone = (memberId: string) => `erased:${memberId}`;

/**
 * `customers`: the row becomes a tombstone: the member id (never given out again), the tier, the
 * points and spending totals and the counters stay; name, phone, e-mail, CPF and consent go. The
 * same phone registering afterwards is a new member.
 */
export const tombstoneCustomer: ErasureStep = {
  table: 'customers',
  async run(trx, subject) {
    const stamp = subject.now.toISOString();
    await trx
      .updateTable('customers')
      .set({
        name: '',
        whatsapp: erasedPhone(subject.memberId),
        email: null,
        cpf: null,
        marketing_whatsapp: 0,
        marketing_whatsapp_at: null,
        marketing_whatsapp_channel: null,
        marketing_email: 0,
        marketing_email_at: null,
        marketing_email_channel: null,
        erased_at: sql<string>`${stamp}`,
        updated_at: stamp,
      })
      .where('company_id', '=', subject.companyId)
      .where('member_id', '=', subject.memberId)
      .execute();
  },
};
