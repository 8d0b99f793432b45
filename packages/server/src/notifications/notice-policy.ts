/**
 * When an owner e-mail that could not be sent is tried again, as data (like the webhook retry
 * schedule): the delay after each failed try. After the last one the notice is given up.
 * 1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h: eight tries over about 22 hours.
 */
export const NOTICE_RETRY_SCHEDULE_MS: readonly number[] = Object.freeze([
  60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000,
]);

/**
 * A notice not sent within this long of its cause is given up rather than sent late: an e-mail
 * saying an endpoint "was just disabled" days later misleads more than it helps (the panel and the
 * API still show the endpoint's state). Longer than the retry schedule, so it never cuts it short.
 */
export const NOTICE_MAX_AGE_MS = 72 * 3_600_000;

/**
 * The next try after a failed one, or `null` to give up: after a permanent refusal (the server
 * said 5xx to the recipient or the message), or once the schedule is spent. `attempts` counts the
 * tries made, the failed one included.
 */
export function nextNoticeAttempt(
  attempts: number,
  permanent: boolean,
  now: Date,
  schedule: readonly number[] = NOTICE_RETRY_SCHEDULE_MS,
): Date | null {
  if (permanent) return null;
  const delay = schedule[attempts - 1];
  return delay === undefined ? null : new Date(now.getTime() + delay);
}
