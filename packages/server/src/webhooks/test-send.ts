import { sampleEvent, type EventType } from '@zupy/webhooks';
import { attemptDelivery } from '../delivery/attempt-delivery.js';
import { recordEvent } from '../events/record-event.js';
import type { DeliveryContext } from '../delivery/delivery-context.js';
import { findEndpoint } from './endpoint-store.js';
import { runInTransaction } from '../db/transaction.js';

export interface TestSendResult {
  success: boolean;
  status_code: number | null;
  error: string | null;
  delivery_id: string;
  /** The exact request sent, for the admin panel's "Send test event". */
  request: { url: string; headers: Record<string, string>; body: string };
  response: { status: number | null; body: string | null; duration_ms: number };
}

/**
 * Sends the documentation's sample of `type`, with this company's id, signed with the endpoint's real
 * secret and marked `X-Zupy-Test: true`, synchronously. It is logged as a delivery like any other and
 * touches no customer or point. A test send is tried once: no retries.
 */
export async function sendTestEvent(
  ctx: DeliveryContext,
  companyId: string,
  endpointId: string,
  type: EventType,
): Promise<TestSendResult> {
  const endpoint = await findEndpoint(ctx.db, companyId, endpointId);
  const now = ctx.clock();
  const recorded = await runInTransaction(ctx.db, (trx) =>
    recordEvent(trx, sampleEvent(type, { companyId, now }), now, { endpointId }),
  );
  const deliveryId = recorded.deliveryIds[0]!;
  const delivery = await ctx.db
    .selectFrom('deliveries')
    .selectAll()
    .where('id', '=', deliveryId)
    .executeTakeFirstOrThrow();
  const report = await attemptDelivery(ctx, delivery, { body: recorded.body }, endpoint);
  return {
    success: report.result.status === 'succeeded',
    status_code: report.response.status,
    error:
      report.response.error ??
      (report.result.status === 'succeeded'
        ? null
        : `the receiver answered ${report.response.status}, not 2xx`),
    delivery_id: deliveryId,
    request: { url: endpoint.url, headers: report.requestHeaders, body: recorded.body },
    response: {
      status: report.response.status,
      body: report.response.body,
      duration_ms: report.response.durationMs,
    },
  };
}
