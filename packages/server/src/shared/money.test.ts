import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBrl, fromCents, parseBrl, toCents } from './money.js';

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

describe('parseBrl', () => {
  it.each([
    ['1.234,56', 123456],
    ['R$ 89,90', 8990],
    ['r$89,9', 8990],
    [' 89,90 ', 8990],
    ['1234,56', 123456],
    ['1.234', 123400],
    ['1.234.567,89', 123456789],
    ['89.90', 8990],
    ['89.9', 8990],
    ['0,01', 1],
    ['0', 0],
    [19.99, 1999],
    [0.29, 29],
    [1234, 123400],
  ])('%j → %i centavos', (text, cents) => {
    expect(parseBrl(text)).toBe(cents);
  });

  it.each([
    ['-10,00'],
    ['1,234'],
    ['1.23,4'],
    ['12.34.56'],
    ['1.2345,00'],
    ['abc'],
    [''],
    ['1 234,56'],
    ['10,5x'],
    [10.001],
    [-1],
    [Infinity],
    [null],
    [undefined],
    [{}],
  ])('refuses %j', (value) => {
    expect(parseBrl(value)).toBeNull();
  });

  it('reads back every amount as Brazilians write it, with or without R$ and the thousands points', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000_000 }), (cents) => {
        const text = formatBrl(cents);
        expect(parseBrl(text)).toBe(cents);
        expect(parseBrl(`R$ ${text}`)).toBe(cents);
        expect(parseBrl(text.replace(/\./g, ''))).toBe(cents);
        expect(parseBrl(fromCents(cents))).toBe(cents);
      }),
    );
  });
});
