import { describe, expect, it } from 'vitest';
import {
  disableReason,
  nextAttemptAt,
  nextProbeAt,
  pauseUntil,
  type FailedAttempt,
} from './failure-policy.js';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const RULES = { schedule: [0, 60_000, 300_000], disableAfterMs: 3_600_000, now: NOW, random: 0 };
const failed = (over: Partial<FailedAttempt> = {}): FailedAttempt => ({
  status: 500,
  retryAfter: undefined,
  attemptsInSeries: 1,
  isTest: false,
  ...over,
});
const at = (ms: number) => new Date(NOW.getTime() + ms);

describe('after a failed attempt', () => {
  it('follows the schedule, then gives up when it is spent', () => {
    expect(nextAttemptAt(failed({ attemptsInSeries: 1 }), RULES)).toEqual(at(60_000));
    expect(nextAttemptAt(failed({ attemptsInSeries: 2 }), RULES)).toEqual(at(300_000));
    expect(nextAttemptAt(failed({ attemptsInSeries: 3 }), RULES)).toBeNull();
  });

  it('also retries when no answer came at all', () => {
    expect(nextAttemptAt(failed({ status: null }), RULES)).toEqual(at(60_000));
  });

  it('never retries a test send or a 410 Gone', () => {
    expect(nextAttemptAt(failed({ isTest: true }), RULES)).toBeNull();
    expect(nextAttemptAt(failed({ status: 410 }), RULES)).toBeNull();
    expect(nextAttemptAt(failed({ status: 409 }), RULES)).toEqual(at(60_000));
  });

  it('honours Retry-After on 429 and 503 only', () => {
    expect(nextAttemptAt(failed({ status: 429, retryAfter: '120' }), RULES)).toEqual(at(120_000));
    expect(nextAttemptAt(failed({ status: 503, retryAfter: '120' }), RULES)).toEqual(at(120_000));
    expect(nextAttemptAt(failed({ status: 500, retryAfter: '120' }), RULES)).toEqual(at(60_000));
    expect(nextAttemptAt(failed({ status: 502, retryAfter: '120' }), RULES)).toEqual(at(60_000));
  });

  it('adds the jitter it is given', () => {
    expect(nextAttemptAt(failed(), { ...RULES, random: 0.5 })).toEqual(at(63_000));
  });
});

describe('disabling the endpoint', () => {
  it('disables at once on 410 Gone', () => {
    expect(disableReason(410, NOW.toISOString(), RULES)).toBe('the receiver answered 410 Gone');
  });

  it('disables a streak at the period, not a millisecond before', () => {
    const since = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
    expect(disableReason(500, since(3_600_000 - 1), RULES)).toBeNull();
    expect(disableReason(500, since(3_600_000), RULES)).toBe(
      'every attempt failed since 2026-12-01T11:00:00Z',
    );
    expect(disableReason(null, since(3_600_001), RULES)).toBe(
      'every attempt failed since 2026-12-01T10:59:59Z',
    );
  });

  it('pauses the whole endpoint on a 429 or 503 with Retry-After, capped at 24 h', () => {
    expect(pauseUntil(429, '3', NOW)).toEqual(at(3_000));
    expect(pauseUntil(503, new Date(NOW.getTime() + 90_000).toUTCString(), NOW)).toEqual(at(90_000));
    expect(pauseUntil(429, '0', NOW)).toEqual(NOW);
    // The cap: at 24 h, and above it.
    expect(pauseUntil(429, String(24 * 3600), NOW)).toEqual(at(24 * 3_600_000));
    expect(pauseUntil(429, String(24 * 3600 + 1), NOW)).toEqual(at(24 * 3_600_000));
    // No pause: another status, no header, an unreadable one.
    expect(pauseUntil(500, '3', NOW)).toBeNull();
    expect(pauseUntil(200, '3', NOW)).toBeNull();
    expect(pauseUntil(null, '3', NOW)).toBeNull();
    expect(pauseUntil(429, undefined, NOW)).toBeNull();
    expect(pauseUntil(429, 'soon', NOW)).toBeNull();
  });
});

describe('probing a disabled endpoint', () => {
  it('takes the step of the probe schedule for the probes made so far, the last one repeating', () => {
    const schedule = [60_000, 300_000, 3_600_000];
    expect([0, 1, 2, 3, 7].map((n) => nextProbeAt(n, schedule, NOW))).toEqual([
      at(60_000),
      at(300_000),
      at(3_600_000),
      at(3_600_000),
      at(3_600_000),
    ]);
  });

  it('probes at once with an empty schedule', () => {
    expect(nextProbeAt(0, [], NOW)).toEqual(NOW);
    expect(nextProbeAt(3, [], NOW)).toEqual(NOW);
  });
});
