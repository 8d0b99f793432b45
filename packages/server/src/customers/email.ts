import type { Rejection } from '../errors.js';

export type EmailResult = { ok: true; email: string } | ({ ok: false } & Rejection);

// Deliberately practical: one @, no spaces, a dot in the domain. Full RFC 5322 accepts
// addresses no CRM or e-mail tool downstream would take.
const EMAIL_PATTERN =
  /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** Trims and lowercases an e-mail address (matching is case-insensitive) after checking its syntax. */
export function normalizeEmail(input: string): EmailResult {
  const email = input.trim().toLowerCase();
  if (email.length > 254)
    return { ok: false, code: 'too_long', reason: 'must be at most 254 characters', params: { limit: 254 } };
  if (!EMAIL_PATTERN.test(email))
    return { ok: false, code: 'email_invalid', reason: 'is not a valid e-mail address' };
  return { ok: true, email };
}
