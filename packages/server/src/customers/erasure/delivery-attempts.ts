import type { ErasureStep } from './erasure-step.js';
import { memberEventIds } from './erasure-step.js';

/**
 * `delivery_attempts`: the receivers' answers to the member's deliveries (a receiver may echo the
 * body it got) are removed; the status, timing and error of each attempt stay for debugging. The
 * request headers hold no personal data (ids, signatures, the sequence).
 */
export const scrubDeliveryAttempts: ErasureStep = {
  table: 'delivery_attempts',
  async run(trx, subject) {
    await trx
      .updateTable('delivery_attempts')
      .set({ response_body: null })
      .where('response_body', 'is not', null)
      .where('delivery_id', 'in', (eb) =>
        eb
          .selectFrom('deliveries')
          .select('deliveries.id')
          .where('deliveries.event_id', 'in', memberEventIds(trx, subject)),
      )
      .execute();
  },
};
