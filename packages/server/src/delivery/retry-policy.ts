/** When to try a failed delivery again: pure, so the schedule is testable without waiting. */

/** At most this long for a receiver's `Retry-After`, so one header cannot park a delivery for ever. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;
/** Jitter adds up to this share of each delay, so retries from one outage do not arrive in lockstep. */
export const JITTER_RATIO = 0.1;

export interface RetryInput {
  /** Delay before each attempt of a series, in ms (`ZUPY_RETRY_SCHEDULE`); its length is the number of attempts. */
  schedule: readonly number[];
  /** Attempts made so far in this series, the failed one included. */
  attemptsInSeries: number;
  /** From a 429 or 503 `Retry-After`, when the receiver sent one. */
  retryAfterMs?: number | undefined;
  /** A number in [0, 1). */
  random: number;
}

/** The delay before the next attempt, or `null` when the series is over and the delivery has failed. */
export function nextRetryDelay(input: RetryInput): number | null {
  const base = input.schedule[input.attemptsInSeries];
  if (base === undefined) return null;
  const jittered = Math.round(base + base * JITTER_RATIO * input.random);
  if (input.retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(input.retryAfterMs, MAX_RETRY_AFTER_MS));
}

/** `Retry-After` as seconds or an HTTP date → ms from `now`; `undefined` when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now: Date): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
}
