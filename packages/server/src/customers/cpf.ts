import type { Rejection } from '../errors.js';

/** Brazilian CPF: 11 digits, the last two check digits of the first nine (mod 11). */

function checkDigit(digits: readonly number[], weightStart: number): number {
  const sum = digits.reduce((acc, d, i) => acc + d * (weightStart - i), 0);
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

/** The two check digits for nine base digits. */
export function cpfCheckDigits(base: string): string {
  const digits = [...base].map(Number);
  const first = checkDigit(digits, 10);
  const second = checkDigit([...digits, first], 11);
  return `${first}${second}`;
}

export type CpfResult = { ok: true; cpf: string } | ({ ok: false } & Rejection);

/** Accepts `123.456.789-09` or `12345678909`; returns the 11 digits when the check digits hold. */
export function normalizeCpf(input: string): CpfResult {
  const trimmed = input.trim();
  if (!/^[\d.\-\s]+$/.test(trimmed))
    return { ok: false, code: 'cpf_characters', reason: 'must contain only digits, dots and a dash' };
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length !== 11)
    return {
      ok: false,
      code: 'cpf_length',
      reason: `must have 11 digits, got ${digits.length}`,
      params: { got: digits.length },
    };
  if (/^(\d)\1{10}$/.test(digits))
    return { ok: false, code: 'cpf_repeated', reason: 'is not a valid CPF (all digits equal)' };
  if (cpfCheckDigits(digits.slice(0, 9)) !== digits.slice(9)) {
    return { ok: false, code: 'cpf_check_digits', reason: 'check digits do not match: look for a typo' };
  }
  return { ok: true, cpf: digits };
}
