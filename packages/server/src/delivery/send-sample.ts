import { sampleEvent, type EventType } from '@zupy/webhooks';
import type { EndpointRow } from '../db/tables.js';
import { runInTransaction } from '../db/transaction.js';
import { recordEvent } from '../events/record-event.js';
import { attemptDelivery, type AttemptReport } from './attempt-delivery.js';
import type { DeliveryContext } from './delivery-context.js';

export interface SampleSent {
  deliveryId: string;
  /** The exact bytes sent. */
  body: string;
  report: AttemptReport;
}

/**
 * Sends the documentation's sample of `type`, with the endpoint's company id, to that endpoint
 * alone, signed with its real secret and marked `X-Zupy-Test: true`, now: logged as a delivery of
 * `kind` (a test send, or a probe of a disabled endpoint), tried once, recorded at once. It touches
 * no customer and no retry series.
 */
export async function sendSample(
  ctx: DeliveryContext,
  endpoint: EndpointRow,
  type: EventType,
  kind: 'test' | 'probe',
): Promise<SampleSent> {
  const now = ctx.clock();
  const recorded = await runInTransaction(ctx.db, (trx) =>
    recordEvent(trx, sampleEvent(type, { companyId: endpoint.company_id, now }), now, {
      only: { endpointId: endpoint.id, kind },
    }),
  );
  const deliveryId = recorded.deliveryIds[0]!;
  const delivery = await ctx.db
    .selectFrom('deliveries')
    .selectAll()
    .where('id', '=', deliveryId)
    .executeTakeFirstOrThrow();
  const report = await attemptDelivery(ctx, delivery, { body: recorded.body }, endpoint);
  return { deliveryId, body: recorded.body, report };
}
