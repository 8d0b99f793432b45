import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

import type { Rejection } from '../errors.js';

export type PhoneResult = { ok: true; e164: string } | ({ ok: false } & Rejection);

/**
 * Normalizes a WhatsApp number to E.164. Numbers without a country code are read as Brazilian:
 * `(11) 96595-8122`, `11965958122`, `011 96595-8122` and `5511965958122` all give `+5511965958122`.
 * Uses the full metadata so that impossible numbers (a missing digit) are refused.
 */
export function normalizePhone(input: string): PhoneResult {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, code: 'required', reason: 'is required' };
  if (trimmed.length > 40 || !/^[+\d\s().-]+$/.test(trimmed)) {
    return {
      ok: false,
      code: 'phone_characters',
      reason: 'may contain only digits, spaces, +, -, . and parentheses',
    };
  }
  const parsed = parsePhoneNumberFromString(trimmed, 'BR');
  if (!parsed?.isValid()) {
    return {
      ok: false,
      code: 'phone_invalid',
      reason: 'is not a valid phone number; use a Brazilian number with area code, or +country code',
    };
  }
  return { ok: true, e164: parsed.number };
}
