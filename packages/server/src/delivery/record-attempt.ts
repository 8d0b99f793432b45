import type { Kysely } from 'kysely';
import type { DeliveryRow, DeliveryStatus, Tables } from '../db/tables.js';
import { nextRetryDelay, parseRetryAfter } from './retry-policy.js';
import type { WebhookResponse } from './webhook-sender.js';
import type { DialectName } from '../db/dialect.js';
import { runWithoutWaitingForDisk } from '../db/transaction.js';

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
 * Records one attempt and decides what follows, in one transaction: 2xx succeeds; otherwise the next
 * attempt follows the retry schedule (honouring Retry-After on 429/503) until the series is spent.
 * A 410 Gone disables the endpoint; so does failing every attempt for `disableAfterMs`.
 */
export async function recordAttempt(
  db: Kysely<Tables>,
  dialect: DialectName,
  outcome: AttemptOutcome,
  rules: AttemptRules,
): Promise<AttemptResult> {
  const [result] = await recordAttempts(db, dialect, [outcome], rules);
  return result!;
}

/**
 * Records many attempts in one transaction: under load the worker hands over every attempt that
 * finished since the last commit, so one commit covers dozens of deliveries. The commit does not wait
 * for the disk: a record lost to a power loss means the delivery is sent again, never that it is lost.
 */
export async function recordAttempts(
  db: Kysely<Tables>,
  dialect: DialectName,
  outcomes: readonly AttemptOutcome[],
  rules: AttemptRules,
): Promise<AttemptResult[]> {
  const successes = outcomes.filter((o) => isSuccess(o.response.status));
  return runWithoutWaitingForDisk(db, dialect, async (trx) => {
    // The common case in bulk: a few statements for the whole batch instead of three per delivery.
    if (successes.length > 0) await recordSuccesses(trx, successes, rules.now);
    const results: AttemptResult[] = [];
    for (const outcome of outcomes) {
      results.push(
        isSuccess(outcome.response.status)
          ? { status: 'succeeded', nextAttemptAt: null, endpointDisabled: null }
          : await recordFailure(trx, outcome, rules),
      );
    }
    return results;
  });
}

function attemptRow(outcome: AttemptOutcome) {
  return {
    delivery_id: outcome.delivery.id,
    attempt: outcome.attempt,
    started_at: outcome.startedAt.toISOString(),
    duration_ms: outcome.response.durationMs,
    request_headers: JSON.stringify(outcome.requestHeaders),
    response_status: outcome.response.status,
    response_body: outcome.response.body,
    error: outcome.response.error,
  };
}

async function recordSuccesses(
  trx: Kysely<Tables>,
  outcomes: readonly AttemptOutcome[],
  now: Date,
): Promise<void> {
  const stamp = now.toISOString();
  await trx.insertInto('delivery_attempts').values(outcomes.map(attemptRow)).execute();
  // Each attempt number is the delivery's count + 1 (a delivery is sent by one holder of its lease at a time).
  await trx
    .updateTable('deliveries')
    .set((eb) => ({
      status: 'succeeded',
      attempts_count: eb('attempts_count', '+', 1),
      next_attempt_at: null,
      lease_expires_at: null,
      updated_at: stamp,
    }))
    .where(
      'id',
      'in',
      outcomes.map((o) => o.delivery.id),
    )
    .execute();
  const endpoints = [
    ...new Set(outcomes.filter((o) => o.delivery.is_test === 0).map((o) => o.delivery.endpoint_id)),
  ];
  if (endpoints.length > 0) {
    await trx
      .updateTable('webhook_endpoints')
      .set({ failing_since: null })
      .where('id', 'in', endpoints)
      .where('failing_since', 'is not', null)
      .execute();
  }
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
