import { describe, expect, it } from 'vitest';
import { COUPON_CODE_PATTERN, MEMBER_ID_PATTERN, generateCouponCode, generateMemberId } from './member-id.js';
import { randomChars, UPPER_HEX } from '../shared/random-chars.js';

describe('member ids and coupon codes', () => {
  it('look like ZP-XXXXXXXX and CP-XXXXXXXX in uppercase hex', () => {
    for (let i = 0; i < 1000; i++) {
      expect(generateMemberId()).toMatch(MEMBER_ID_PATTERN);
      expect(generateCouponCode()).toMatch(COUPON_CODE_PATTERN);
    }
  });

  it('are drawn from the injected byte source', () => {
    const zeros = (n: number) => Buffer.alloc(n, 0);
    expect(generateMemberId(zeros)).toBe('ZP-00000000');
    expect(generateMemberId((n) => Buffer.alloc(n, 255))).toBe('ZP-FFFFFFFF');
  });

  it('draws every character about equally often (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (const c of randomChars(UPPER_HEX, 160_000)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(16);
    for (const n of counts.values()) expect(Math.abs(n - 10_000)).toBeLessThan(600);
  });

  it('small draws come from a refilled pool: uniform, and never the same bytes twice', () => {
    const counts = new Map<string, number>();
    const ids = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const id = generateMemberId();
      ids.add(id);
      for (const c of id.slice(3)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    // 20,000 draws from 16^8: a repeat is a ~5 % event; a pool that served the same bytes twice
    // would repeat thousands.
    expect(ids.size).toBeGreaterThan(19_990);
    for (const n of counts.values()) expect(Math.abs(n - 10_000)).toBeLessThan(600);
  });
});
