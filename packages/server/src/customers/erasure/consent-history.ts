import type { ErasureStep } from './erasure-step.js';

/** `consent_changes`: the member's marketing consent history is deleted. */
export const deleteConsentHistory: ErasureStep = {
  table: 'consent_changes',
  async run(trx, subject) {
    await trx
      .deleteFrom('consent_changes')
      .where('company_id', '=', subject.companyId)
      .where('member_id', '=', subject.memberId)
      .execute();
  },
};
