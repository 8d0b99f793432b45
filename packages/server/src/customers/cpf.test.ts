import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpfCheckDigits, normalizeCpf } from './cpf.js';

const baseDigits = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 })
  .map((d) => d.join(''));

describe('CPF', () => {
  it.each(['529.982.247-25', '52998224725', '111.444.777-35', ' 123.456.789-09 '])('accepts %s', (cpf) => {
    const result = normalizeCpf(cpf);
    expect(result).toEqual({ ok: true, cpf: cpf.replace(/\D/g, '') });
  });

  it.each([
    ['12345678901', 'check digits'],
    ['529.982.247-26', 'check digits'],
    ['00000000000', 'all digits equal'],
    ['99999999999', 'all digits equal'],
    ['5299822472', '11 digits'],
    ['529982247250', '11 digits'],
    ['5299822472a', 'only digits'],
    ['x52998224725', 'only digits'],
    ['', 'digits'],
  ])('refuses %s (%s)', (cpf, reason) => {
    const result = normalizeCpf(cpf);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('accepts every base with its computed check digits, formatted or not', () => {
    fc.assert(
      fc.property(baseDigits, (base) => {
        fc.pre(!/^(\d)\1{8}$/.test(base));
        const cpf = base + cpfCheckDigits(base);
        const formatted = `${cpf.slice(0, 3)}.${cpf.slice(3, 6)}.${cpf.slice(6, 9)}-${cpf.slice(9)}`;
        expect(normalizeCpf(cpf)).toEqual({ ok: true, cpf });
        expect(normalizeCpf(formatted)).toEqual({ ok: true, cpf });
      }),
    );
  });

  it('refuses any typo in a check digit', () => {
    fc.assert(
      fc.property(
        baseDigits,
        fc.integer({ min: 9, max: 10 }),
        fc.integer({ min: 1, max: 9 }),
        (base, pos, delta) => {
          const cpf = base + cpfCheckDigits(base);
          const typo = cpf.slice(0, pos) + String((Number(cpf[pos]) + delta) % 10) + cpf.slice(pos + 1);
          expect(normalizeCpf(typo).ok).toBe(false);
        },
      ),
    );
  });

  // The mod-11 scheme maps remainders 0 and 1 to the same digit, so a few single-digit typos in the
  // base keep both check digits; CPF validation catches most typos, not all.
  it('cannot catch every typo in the base digits: the algorithm’s own limit', () => {
    let caught = 0;
    let total = 0;
    for (let n = 0; n < 2000; n++) {
      const base = String(n * 7919 + 123456)
        .padStart(9, '0')
        .slice(-9);
      const cpf = base + cpfCheckDigits(base);
      for (let pos = 0; pos < 9; pos++) {
        const typo = cpf.slice(0, pos) + String((Number(cpf[pos]) + 1) % 10) + cpf.slice(pos + 1);
        total++;
        if (!normalizeCpf(typo).ok) caught++;
      }
    }
    expect(caught / total).toBeGreaterThan(0.95);
  });
});
