import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromCents, toCents } from './money.js';

describe('money', () => {
  it('takes the amounts binary floats cannot hold exactly to the right centavo', () => {
    expect(toCents(19.99)).toBe(1999);
    expect(toCents(0.29)).toBe(29);
    expect(toCents(1.005 + 0.005)).toBe(101);
    expect(toCents(1_000_000_000)).toBe(100_000_000_000);
    expect(fromCents(1999)).toBe(19.99);
    expect(fromCents('1999')).toBe(19.99);
  });

  it('round-trips every centavo amount up to a billion reais', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000_000 }), (cents) => {
        const brl = fromCents(cents);
        expect(toCents(brl)).toBe(cents);
      }),
    );
  });
});
