import type { ErasureStep } from './erasure-step.js';

/**
 * `ledger_entries`: the amounts, balances and order values stay (accounting); the free-text
 * `reason` an operator typed (it may name the person) is removed.
 */
export const scrubLedgerReasons: ErasureStep = {
  table: 'ledger_entries',
  async run(trx, subject) {
    await trx
      .updateTable('ledger_entries')
      .set({ reason: null })
      .where('company_id', '=', subject.companyId)
      .where('member_id', '=', subject.memberId)
      .where('reason', 'is not', null)
      .execute();
  },
};
