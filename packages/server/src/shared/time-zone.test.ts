import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, localMoment, parseLocalDateTime } from './time-zone.js';

describe('time zones', () => {
  it('knows IANA names, in their canonical spelling, and nothing else', () => {
    expect(canonicalTimeZone('America/Sao_Paulo')).toBe('America/Sao_Paulo');
    expect(canonicalTimeZone('america/manaus')).toBe('America/Manaus');
    expect(canonicalTimeZone('-03:00')).toBeNull();
    expect(canonicalTimeZone('Mars/Olympus')).toBeNull();
  });

  it('reads the company’s wall clock', () => {
    expect(localMoment(new Date('2025-08-29T21:10:00Z'), 'America/Sao_Paulo')).toEqual({
      weekday: 'fri',
      minutes: 18 * 60 + 10,
      date: '2025-08-29',
    });
    expect(localMoment(new Date('2025-08-30T02:30:00Z'), 'America/Sao_Paulo').date).toBe('2025-08-29');
    expect(localMoment(new Date('2025-08-30T02:30:00Z'), 'UTC')).toMatchObject({
      weekday: 'sat',
      date: '2025-08-30',
    });
  });

  it('takes a partner’s local date and time to the instant it means in the company’s zone', () => {
    const sp = 'America/Sao_Paulo';
    expect(parseLocalDateTime('2025-08-29 18:10', sp)?.toISOString()).toBe('2025-08-29T21:10:00.000Z');
    expect(parseLocalDateTime('29/08/2025 18:10:05', sp)?.toISOString()).toBe('2025-08-29T21:10:05.000Z');
    expect(parseLocalDateTime('2025-08-29T18:10:00', 'America/Manaus')?.toISOString()).toBe(
      '2025-08-29T22:10:00.000Z',
    );
    expect(parseLocalDateTime('2025-08-29', sp)?.toISOString()).toBe('2025-08-29T03:00:00.000Z');
    expect(parseLocalDateTime('2025-08-29T18:10:00Z', sp)?.toISOString()).toBe('2025-08-29T18:10:00.000Z');
    expect(parseLocalDateTime('2025-08-29T18:10:00-03:00', 'UTC')?.toISOString()).toBe(
      '2025-08-29T21:10:00.000Z',
    );
    // New York in summer time (UTC−4) and in winter (UTC−5).
    expect(parseLocalDateTime('2025-07-01 12:00', 'America/New_York')?.toISOString()).toBe(
      '2025-07-01T16:00:00.000Z',
    );
    expect(parseLocalDateTime('2025-01-01 12:00', 'America/New_York')?.toISOString()).toBe(
      '2025-01-01T17:00:00.000Z',
    );
    for (const bad of ['31/02/2025 10:00', '2025-13-01', 'ontem', '2025-08-29 25:00', '29-08-2025'])
      expect(parseLocalDateTime(bad, sp), bad).toBeNull();
  });
});
