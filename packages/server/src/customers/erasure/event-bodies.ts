import { sql } from 'kysely';
import type { ErasureStep } from './erasure-step.js';

/**
 * `events`: every stored body about the member (each customer event's `customer.member_id`, kept in
 * `events.member_id`) is replaced by `{event, company_id, customer: {member_id}, erased_at}`, and
 * marked `erased_at`: never sent, replayed or redelivered again. `GET /events/` lists it so.
 */
export const scrubEventBodies: ErasureStep = {
  table: 'events',
  async run(trx, subject) {
    const stamp = subject.now.toISOString();
    const rows = await trx
      .selectFrom('events')
      .select(['id', 'type'])
      .where('company_id', '=', subject.companyId)
      .where('member_id', '=', subject.memberId)
      .where('erased_at', 'is', null)
      .execute();
    for (const row of rows) {
      const body = JSON.stringify({
        event: row.type,
        company_id: subject.companyId,
        customer: { member_id: subject.memberId },
        erased_at: stamp,
      });
      await trx
        .updateTable('events')
        .set({ body, erased_at: sql<string>`${stamp}` })
        .where('id', '=', row.id)
        .execute();
    }
  },
};
