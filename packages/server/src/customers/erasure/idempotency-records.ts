import type { ErasureStep } from './erasure-step.js';

/**
 * `idempotency_keys`: the stored answers of the member's points operations (they hold the member's
 * balance and the operation's reason) are deleted. A retry of such a request afterwards is a 404,
 * as the member is gone. Each stored answer names its member (`member_id`, the key's scope).
 */
export const deleteIdempotencyRecords: ErasureStep = {
  table: 'idempotency_keys',
  async run(trx, subject) {
    await trx
      .deleteFrom('idempotency_keys')
      .where('company_id', '=', subject.companyId)
      .where('member_id', '=', subject.memberId)
      .execute();
  },
};
