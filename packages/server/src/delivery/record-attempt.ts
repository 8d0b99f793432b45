import type { Kysely } from 'kysely';
import type { DeliveryRow, DeliveryStatus, Tables } from '../db/tables.js';
import { runWithoutWaitingForDisk } from '../db/transaction.js';
import type { AppContext } from '../shared/context.js';
import { attemptRow } from './delivery-store.js';
import { nextRetryDelay, parseRetryAfter } from './retry-policy.js';
import type { WebhookResponse } from './webhook-sender.js';

export interface AttemptOutcome {
  delivery: Pick<DeliveryRow, 'id' | 'endpoint_id' | 'attempts_count' | 'schedule_offset' | 'is_test'>;
  attempt: number;
  startedAt: Date;
  requestHeaders: Record<string, string>;
  response: WebhookResponse;
}

export interface AttemptRules {
  schedule: readonly number[];
  disableAfterMs: number;
  now: Date;
  random: () => number;
}

export interface AttemptResult {
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
  endpointDisabled: string | null;
}

const RETRY_AFTER_STATUSES = new Set([429, 503]);

export function isSuccess(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

/**
 * Records one attempt and decides what follows: 2xx succeeds; otherwise the next attempt follows the
 * retry schedule (honouring Retry-After on 429/503) until the series is spent. A 410 Gone disables
 * the endpoint; so does failing every attempt for `disableAfterMs`.
 */
export async function recordAttempt(
  ctx: AppContext,
  outcome: AttemptOutcome,
  rules: AttemptRules,
): Promise<AttemptResult> {
  const [result] = await recordAttempts(ctx, [outcome], rules);
  return result!;
}

/**
 * Records many attempts: under load the worker hands over every attempt that finished since the last
 * write. Successes, the common case in bulk, go through the delivery store's fixed statements, one
 * transaction for the lot; failures, each with its own retry decision and endpoint bookkeeping, share
 * one more. Neither commit waits for the disk: a record lost to a power loss means the delivery is
 * sent again, never that it is lost.
 */
export async function recordAttempts(
  ctx: AppContext,
  outcomes: readonly AttemptOutcome[],
  rules: AttemptRules,
): Promise<AttemptResult[]> {
  const successes = outcomes.filter((o) => isSuccess(o.response.status));
  const failures = outcomes.filter((o) => !isSuccess(o.response.status));
  await ctx.deliveryStore.recordSuccesses(successes, rules.now);
  const failed = new Map<AttemptOutcome, AttemptResult>();
  if (failures.length > 0) {
    await runWithoutWaitingForDisk(ctx.db, ctx.dialect, async (trx) => {
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
  let nextAttemptAt: Date | null = null;
  if (delivery.is_test === 0 && response.status !== 410) {
    const delay = nextRetryDelay({
      schedule: rules.schedule,
      attemptsInSeries: attempt - delivery.schedule_offset,
      retryAfterMs: RETRY_AFTER_STATUSES.has(response.status ?? 0)
        ? parseRetryAfter(response.headers['retry-after'], rules.now)
        : undefined,
      random: rules.random(),
    });
    if (delay !== null) nextAttemptAt = new Date(rules.now.getTime() + delay);
  }
  const status: DeliveryStatus = nextAttemptAt ? 'pending' : 'failed';
  await trx.insertInto('delivery_attempts').values(attemptRow(outcome)).execute();
  await trx
    .updateTable('deliveries')
    .set({
      status,
      attempts_count: attempt,
      next_attempt_at: nextAttemptAt?.toISOString() ?? null,
      lease_expires_at: null,
      updated_at: stamp,
    })
    .where('id', '=', delivery.id)
    .execute();
  const result = { status, nextAttemptAt, endpointDisabled: null as string | null };
  if (delivery.is_test === 1) return result;
  const endpoint = await trx
    .selectFrom('webhook_endpoints')
    .select(['failing_since', 'enabled'])
    .where('id', '=', delivery.endpoint_id)
    .executeTakeFirst();
  if (!endpoint || endpoint.enabled === 0) return result;
  const failingSince = endpoint.failing_since ?? stamp;
  if (response.status === 410) {
    result.endpointDisabled = 'the receiver answered 410 Gone';
  } else if (rules.now.getTime() - Date.parse(failingSince) >= rules.disableAfterMs) {
    result.endpointDisabled = `every attempt failed since ${failingSince.slice(0, 19)}Z`;
  }
  await trx
    .updateTable('webhook_endpoints')
    .set(
      result.endpointDisabled
        ? {
            enabled: 0,
            disabled_reason: result.endpointDisabled,
            failing_since: failingSince,
            updated_at: stamp,
          }
        : { failing_since: failingSince },
    )
    .where('id', '=', delivery.endpoint_id)
    .execute();
  return result;
}
