import { MAX_RETRY_AFTER_MS, nextRetryDelay, parseRetryAfter } from './retry-policy.js';

/** What becomes of a delivery, and of its endpoint, after a failed attempt: pure, like retry-policy.ts. */

/** Statuses whose `Retry-After` is honoured. */
const RETRY_AFTER_STATUSES = new Set([429, 503]);

export interface FailedAttempt {
  /** The receiver's status, or `null` when no answer came (timeout, refused, reset). */
  status: number | null;
  /** The receiver's `retry-after` header, if any. */
  retryAfter: string | undefined;
  /** This attempt's number counted from the start of the delivery's current series. */
  attemptsInSeries: number;
  isTest: boolean;
}

export interface FailureRules {
  schedule: readonly number[];
  disableAfterMs: number;
  now: Date;
  /** A number in [0, 1): this attempt's jitter. */
  random: number;
}

/**
 * When to try again, or `null` for never (the delivery has failed): test sends are tried once, a 410
 * Gone is final, otherwise the retry schedule (honouring Retry-After on 429 and 503) until it is spent.
 */
export function nextAttemptAt(failed: FailedAttempt, rules: FailureRules): Date | null {
  if (failed.isTest || failed.status === 410) return null;
  const delay = nextRetryDelay({
    schedule: rules.schedule,
    attemptsInSeries: failed.attemptsInSeries,
    retryAfterMs: RETRY_AFTER_STATUSES.has(failed.status ?? 0)
      ? parseRetryAfter(failed.retryAfter, rules.now)
      : undefined,
    random: rules.random,
  });
  return delay === null ? null : new Date(rules.now.getTime() + delay);
}

/**
 * Until when the whole endpoint is paused after this answer, or `null`: a 429 or 503 with a readable
 * `Retry-After` (seconds or an HTTP date) holds every delivery of the endpoint until then, capped
 * like a delivery's retry (24 h).
 */
export function pauseUntil(status: number | null, retryAfter: string | undefined, now: Date): Date | null {
  if (!RETRY_AFTER_STATUSES.has(status ?? 0)) return null;
  const ms = parseRetryAfter(retryAfter, now);
  return ms === undefined ? null : new Date(now.getTime() + Math.min(ms, MAX_RETRY_AFTER_MS));
}

/**
 * Why the endpoint is disabled after this failure, or `null` to keep it: a 410 Gone disables it at
 * once; so does a failure streak (since `failingSince`, ISO 8601) of `disableAfterMs` or longer.
 */
export function disableReason(
  status: number | null,
  failingSince: string,
  rules: Pick<FailureRules, 'disableAfterMs' | 'now'>,
): string | null {
  if (status === 410) return 'the receiver answered 410 Gone';
  if (rules.now.getTime() - Date.parse(failingSince) >= rules.disableAfterMs)
    return `every attempt failed since ${failingSince.slice(0, 19)}Z`;
  return null;
}

/**
 * When a disabled endpoint is probed next: the `probesMade`-th step of the probe schedule after
 * `now`, the last step repeating.
 */
export function nextProbeAt(probesMade: number, schedule: readonly number[], now: Date): Date {
  const step = schedule[Math.min(probesMade, schedule.length - 1)] ?? 0;
  return new Date(now.getTime() + step);
}
