import { describe, expect, it } from 'vitest';
import { NOTICE_MAX_AGE_MS, NOTICE_RETRY_SCHEDULE_MS, nextNoticeAttempt } from './notice-policy.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms);

describe('when an owner e-mail is tried again', () => {
  it('retries after 1 min, 5 min, 15 min, 1 h, 3 h, 6 h and 12 h, then gives up', () => {
    const minute = 60_000;
    const hour = 60 * minute;
    const expected = [minute, 5 * minute, 15 * minute, hour, 3 * hour, 6 * hour, 12 * hour];
    expected.forEach((delay, i) => expect(nextNoticeAttempt(i + 1, false, now)).toEqual(at(delay)));
    expect(nextNoticeAttempt(8, false, now)).toBeNull();
    expect(nextNoticeAttempt(9, false, now)).toBeNull();
  });

  it('gives up at once on a permanent refusal, even on the first try', () => {
    expect(nextNoticeAttempt(1, true, now)).toBeNull();
  });

  it('follows another schedule when given one', () => {
    expect(nextNoticeAttempt(1, false, now, [200, 400])).toEqual(at(200));
    expect(nextNoticeAttempt(2, false, now, [200, 400])).toEqual(at(400));
    expect(nextNoticeAttempt(3, false, now, [200, 400])).toBeNull();
    expect(nextNoticeAttempt(1, false, now, [])).toBeNull();
  });

  it('lets the whole schedule run before a notice is too old to send', () => {
    const total = NOTICE_RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(NOTICE_MAX_AGE_MS);
    expect(Object.isFrozen(NOTICE_RETRY_SCHEDULE_MS)).toBe(true);
  });
});
