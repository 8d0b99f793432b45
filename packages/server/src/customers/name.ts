import type { Rejection } from '../errors.js';
import { isStorableText, UNSTORABLE_TEXT_DETAIL } from '../shared/storable-text.js';

/** A customer's name with its spaces collapsed, or why it cannot be stored (registration and PATCH). */
export function normalizeName(input: string): { ok: true; name: string } | ({ ok: false } & Rejection) {
  const name = input.trim().replace(/\s+/g, ' ');
  if (name === '') return { ok: false, code: 'required', reason: 'is required' };
  if (!isStorableText(name)) return { ok: false, code: 'unstorable_text', reason: UNSTORABLE_TEXT_DETAIL };
  return { ok: true, name };
}
