import type { DeliveryRow, EndpointRow } from '../db/tables.js';
import type { AppContext } from '../shared/context.js';
import { endpointSecrets } from '../webhooks/endpoint-store.js';
import { deliveryHeaders } from './delivery-headers.js';
import { recordAttempt, type AttemptResult } from './record-attempt.js';
import type { WebhookResponse } from './webhook-sender.js';

export interface AttemptReport {
  attempt: number;
  requestHeaders: Record<string, string>;
  response: WebhookResponse;
  /** `null` when the attempt was abandoned by a shutdown and the delivery released, not recorded. */
  result: AttemptResult | null;
}

/** Signs and sends one attempt of a delivery, then records it. Used by the worker and by test sends. */
export async function attemptDelivery(
  ctx: AppContext,
  delivery: DeliveryRow,
  event: { body: string },
  endpoint: EndpointRow,
  shutdown?: AbortSignal,
): Promise<AttemptReport> {
  const startedAt = ctx.clock();
  const attempt = delivery.attempts_count + 1;
  const requestHeaders = deliveryHeaders({
    eventId: delivery.event_id,
    eventType: delivery.event_type,
    deliveryId: delivery.id,
    attempt,
    secrets: endpointSecrets(ctx, endpoint, startedAt),
    body: event.body,
    now: startedAt,
    isTest: delivery.is_test === 1,
    userAgent: ctx.webhooks.userAgent,
  });
  const response = await ctx.webhooks.sender.send({
    url: endpoint.url,
    headers: requestHeaders,
    body: event.body,
    timeoutMs: ctx.webhooks.timeoutMs,
    signal: shutdown,
  });
  if (shutdown?.aborted) return { attempt, requestHeaders, response, result: null };
  const result = await recordAttempt(
    ctx.db,
    { delivery, attempt, startedAt, requestHeaders, response },
    {
      schedule: ctx.webhooks.retrySchedule,
      disableAfterMs: ctx.webhooks.disableAfterMs,
      now: ctx.clock(),
      random: ctx.random,
    },
  );
  return { attempt, requestHeaders, response, result };
}
