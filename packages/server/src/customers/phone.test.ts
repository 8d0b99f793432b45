import { describe, expect, it } from 'vitest';
import { normalizePhone } from './phone.js';

describe('phone normalization', () => {
  it.each([
    ['(11) 96595-8122', '+5511965958122'],
    ['11965958122', '+5511965958122'],
    ['11 96595 8122', '+5511965958122'],
    ['011 96595-8122', '+5511965958122'],
    ['5511965958122', '+5511965958122'],
    ['+55 (11) 96595-8122', '+5511965958122'],
    ['+5511965958122', '+5511965958122'],
    ['(21) 3333-4444', '+552133334444'],
    ['+1 415 555 2671', '+14155552671'],
    ['+351 912 345 678', '+351912345678'],
  ])('%s → %s', (input, e164) => {
    expect(normalizePhone(input)).toEqual({ ok: true, e164 });
  });

  it.each([
    '',
    '   ',
    '123',
    '965958122',
    '(11) 6595-8122',
    'abc',
    '11 96595-8122 ext 3',
    '+55 11 96595-8122-9999',
    '1'.repeat(41),
  ])('refuses %j', (input) => {
    expect(normalizePhone(input).ok).toBe(false);
  });

  it.each([
    ['', 'is required'],
    ['   ', 'is required'],
    ['abc', 'may contain only digits'],
    ['1'.repeat(41), 'may contain only digits'],
    ['123', 'is not a valid phone number'],
    ['+', 'is not a valid phone number'],
    ['()', 'is not a valid phone number'],
  ])('refuses %j saying it %s', (input, reason) => {
    const result = normalizePhone(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('takes up to 40 characters once trimmed: 40 accepted, 41 refused, outer spaces not counted', () => {
    const padded = (length: number) => `+55 (11) ${' '.repeat(length - 19)}96595-8122`;
    expect(padded(40)).toHaveLength(40);
    expect(normalizePhone(padded(40))).toEqual({ ok: true, e164: '+5511965958122' });
    expect(normalizePhone(padded(41))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('only digits'),
    });
    expect(normalizePhone(`${' '.repeat(10)}${padded(40)}${' '.repeat(10)}`)).toEqual({
      ok: true,
      e164: '+5511965958122',
    });
  });
});
