import type { DeliveryRow, EndpointRow } from '../db/tables.js';
import type { DeliveryContext } from './delivery-context.js';
import { endpointSecrets } from './endpoint-secrets.js';
import { deliveryHeaders } from './delivery-headers.js';
import { recordAttempt, type AttemptResult } from './record-attempt.js';
import type { AttemptOutcome } from './store/delivery-store.js';

export interface AttemptReport {
  attempt: number;
  requestHeaders: Record<string, string>;
  response: AttemptOutcome['response'];
  result: AttemptResult;
}

/** Signs and sends one attempt of a delivery; the caller records it (alone, or in a batch). */
export async function sendAttempt(
  ctx: DeliveryContext,
  delivery: DeliveryRow,
  event: { body: string; sequence?: number | null },
  endpoint: EndpointRow,
  shutdown?: AbortSignal,
  /** The endpoint's signing secrets, when the caller decrypted them once for many deliveries. */
  secrets?: readonly string[],
): Promise<AttemptOutcome> {
  const startedAt = ctx.clock();
  const attempt = delivery.attempts_count + 1;
  const requestHeaders = deliveryHeaders({
    eventId: delivery.event_id,
    eventType: delivery.event_type,
    deliveryId: delivery.id,
    attempt,
    secrets: secrets ?? endpointSecrets(ctx, endpoint, startedAt),
    body: event.body,
    now: startedAt,
    isTest: delivery.is_test === 1,
    userAgent: ctx.webhooks.userAgent,
    sequence: event.sequence,
  });
  const response = await ctx.webhooks.sender.send({
    url: endpoint.url,
    headers: requestHeaders,
    body: event.body,
    timeoutMs: ctx.webhooks.timeoutMs,
    signal: shutdown,
  });
  return { delivery, attempt, startedAt, requestHeaders, response };
}

export function attemptRules(ctx: DeliveryContext) {
  return {
    schedule: ctx.webhooks.retrySchedule,
    disableAfterMs: ctx.webhooks.disableAfterMs,
    probeSchedule: ctx.webhooks.probeSchedule,
    now: ctx.clock(),
    random: ctx.random,
  };
}

/** Sends one attempt and records it at once (test sends). */
export async function attemptDelivery(
  ctx: DeliveryContext,
  delivery: DeliveryRow,
  event: { body: string },
  endpoint: EndpointRow,
): Promise<AttemptReport> {
  const outcome = await sendAttempt(ctx, delivery, event, endpoint);
  const result = await recordAttempt(ctx, outcome, attemptRules(ctx));
  return {
    attempt: outcome.attempt,
    requestHeaders: outcome.requestHeaders,
    response: outcome.response,
    result,
  };
}
