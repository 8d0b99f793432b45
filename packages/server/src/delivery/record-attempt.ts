import type { Kysely } from 'kysely';
import type { DeliveryStatus, Tables } from '../db/tables.js';
import { runWithoutWaitingForDisk } from '../db/transaction.js';
import type { DeliveryContext } from './delivery-context.js';
import { attemptRow, type AttemptOutcome } from './store/delivery-store.js';
import { disableReason, nextAttemptAt as nextAttemptTime, pauseUntil } from './failure-policy.js';
import { releaseSuccessors } from './delivery-order.js';
import { disableEndpoint } from './endpoint-state.js';
import { recordDeliveryFailed } from './operational-events.js';
import { isOperationalEventType } from '@zupy/webhooks';

export interface AttemptRules {
  schedule: readonly number[];
  disableAfterMs: number;
  probeSchedule: readonly number[];
  now: Date;
  random: () => number;
}

export interface AttemptResult {
  status: Extract<DeliveryStatus, 'pending' | 'succeeded' | 'failed'>;
  nextAttemptAt: Date | null;
  endpointDisabled: string | null;
}

export function isSuccess(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

/**
 * Records one attempt and decides what follows: 2xx succeeds; otherwise the next attempt follows the
 * retry schedule (honouring Retry-After on 429/503, which also pauses the endpoint) until the series
 * is spent. A 410 Gone disables
 * the endpoint; so does failing every attempt for `disableAfterMs`.
 */
export async function recordAttempt(
  ctx: DeliveryContext,
  outcome: AttemptOutcome,
  rules: AttemptRules,
): Promise<AttemptResult> {
  const [result] = await recordAttempts(ctx, [outcome], rules);
  return result!;
}

/**
 * Records many attempts: under load the worker hands over every attempt that finished since the last
 * write. Each is recorded only while its delivery is still pending (one cancelled meanwhile keeps no
 * trace of it). Successes, the common case in bulk, go through the delivery store's fixed statements, one
 * transaction for the lot; failures, each with its own retry decision and endpoint bookkeeping, share
 * one more. Neither commit waits for the disk: a record lost to a power loss means the delivery is
 * sent again, never that it is lost.
 */
export async function recordAttempts(
  ctx: DeliveryContext,
  outcomes: readonly AttemptOutcome[],
  rules: AttemptRules,
): Promise<AttemptResult[]> {
  const successes = outcomes.filter((o) => isSuccess(o.response.status));
  const failures = outcomes.filter((o) => !isSuccess(o.response.status));
  await ctx.deliveryStore.recordSuccesses(successes, rules.now);
  const failed = new Map<AttemptOutcome, AttemptResult>();
  if (failures.length > 0) {
    await runWithoutWaitingForDisk(ctx.db, async (trx) => {
      for (const outcome of failures) failed.set(outcome, await recordFailure(trx, outcome, rules));
    });
  }
  return outcomes.map(
    (o) => failed.get(o) ?? { status: 'succeeded', nextAttemptAt: null, endpointDisabled: null },
  );
}

/** A failed attempt: the next one per the schedule, or `failed`; and the endpoint's failure streak. */
async function recordFailure(
  trx: Kysely<Tables>,
  outcome: AttemptOutcome,
  rules: AttemptRules,
): Promise<AttemptResult> {
  const { delivery, response, attempt } = outcome;
  const stamp = rules.now.toISOString();
  const nextAttemptAt = nextAttemptTime(
    {
      status: response.status,
      retryAfter: response.headers['retry-after'],
      attemptsInSeries: attempt - delivery.schedule_offset,
      isTest: delivery.is_test === 1,
    },
    { ...rules, random: rules.random() },
  );
  const status: AttemptResult['status'] = nextAttemptAt ? 'pending' : 'failed';
  // Only while it is still pending: a delivery cancelled meanwhile (its customer erased) keeps no
  // trace of this attempt, not even the receiver's answer (customers/erasure/pending-deliveries.ts).
  const ended = await trx
    .updateTable('deliveries')
    .set({
      status,
      attempts_count: attempt,
      next_attempt_at: nextAttemptAt?.toISOString() ?? null,
      lease_expires_at: null,
      updated_at: stamp,
    })
    .where('id', '=', delivery.id)
    .where('status', '=', 'pending')
    .returning(['seq', 'has_successor'])
    .executeTakeFirst();
  if (!ended) return { status: 'failed', nextAttemptAt: null, endpointDisabled: null };
  await trx.insertInto('delivery_attempts').values(attemptRow(outcome)).execute();
  // Given up: the member's next delivery to this endpoint goes now (delivery-order.ts).
  if (status === 'failed' && Number(ended.has_successor) === 1)
    await releaseSuccessors(trx, [Number(ended.seq)], rules.now);
  const result = { status, nextAttemptAt, endpointDisabled: null as string | null };
  if (delivery.is_test === 1) return result;
  const endpoint = await trx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', delivery.endpoint_id)
    .executeTakeFirst();
  if (!endpoint) return result;
  const lastAttempt = {
    status: response.status,
    error: response.error,
    errorCode: response.errorCode,
    at: outcome.startedAt,
  };
  // A customer event's delivery given up is worth telling (never an operational one: no loops).
  if (status === 'failed' && delivery.kind === 'event' && !isOperationalEventType(delivery.event_type)) {
    await recordDeliveryFailed(trx, endpoint, { ...delivery, attempts: attempt }, lastAttempt, rules.now);
  }
  if (endpoint.enabled === 0) return result;
  // A 429 or 503 with Retry-After holds the whole endpoint, not only this delivery (endpoint-pause.ts);
  // it ends the turn of a single delivery after an earlier pause.
  const paused = pauseUntil(response.status, response.headers['retry-after'], rules.now);
  if (paused !== null) {
    await trx
      .updateTable('webhook_endpoints')
      .set({ paused_until: paused.toISOString(), resuming_until: null })
      .where('id', '=', delivery.endpoint_id)
      .execute();
  }
  const failingSince = endpoint.failing_since ?? stamp;
  result.endpointDisabled = disableReason(response.status, failingSince, rules);
  if (result.endpointDisabled) {
    await disableEndpoint(trx, delivery.endpoint_id, {
      code: response.status === 410 ? 'gone' : 'failure_streak',
      message: result.endpointDisabled,
      now: rules.now,
      probeSchedule: rules.probeSchedule,
      failingSince,
      lastAttempt,
    });
  } else if (endpoint.failing_since === null) {
    await trx
      .updateTable('webhook_endpoints')
      .set({ failing_since: failingSince })
      .where('id', '=', delivery.endpoint_id)
      .execute();
  }
  return result;
}
