import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JITTER_RATIO, MAX_RETRY_AFTER_MS, nextRetryDelay, parseRetryAfter } from './retry-policy.js';

const SCHEDULE = [0, 60_000, 300_000, 900_000, 3_600_000];

describe('retry schedule', () => {
  it('retries a failure after 1 min, 5 min, 15 min, 1 h, then gives up after the 5th attempt', () => {
    expect(
      [1, 2, 3, 4, 5].map((n) => nextRetryDelay({ schedule: SCHEDULE, attemptsInSeries: n, random: 0 })),
    ).toEqual([60_000, 300_000, 900_000, 3_600_000, null]);
  });

  it('adds at most 10 % jitter, never less than the schedule', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (n, random) => {
          const delay = nextRetryDelay({ schedule: SCHEDULE, attemptsInSeries: n, random })!;
          expect(delay).toBeGreaterThanOrEqual(SCHEDULE[n]!);
          expect(delay).toBeLessThanOrEqual(SCHEDULE[n]! * (1 + JITTER_RATIO));
        },
      ),
    );
  });

  it('honours a longer Retry-After, keeps the schedule when it is shorter, and caps it at a day', () => {
    expect(
      nextRetryDelay({ schedule: SCHEDULE, attemptsInSeries: 1, retryAfterMs: 120_000, random: 0 }),
    ).toBe(120_000);
    expect(nextRetryDelay({ schedule: SCHEDULE, attemptsInSeries: 1, retryAfterMs: 2_000, random: 0 })).toBe(
      60_000,
    );
    expect(nextRetryDelay({ schedule: SCHEDULE, attemptsInSeries: 1, retryAfterMs: 1e12, random: 0 })).toBe(
      MAX_RETRY_AFTER_MS,
    );
    expect(
      nextRetryDelay({ schedule: SCHEDULE, attemptsInSeries: 5, retryAfterMs: 1000, random: 0 }),
    ).toBeNull();
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('reads seconds with spaces around them, and nothing from a number mixed with letters or blanks', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    for (const header of ['a12', '12a', '120s', '', '   '])
      expect(parseRetryAfter(header, now), header).toBeUndefined();
  });

  it('caps Retry-After at exactly one day', () => {
    expect(MAX_RETRY_AFTER_MS).toBe(86_400_000);
  });
});
