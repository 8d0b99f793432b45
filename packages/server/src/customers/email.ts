export type EmailResult = { ok: true; email: string } | { ok: false; reason: string };

// Deliberately practical: one @, no spaces, a dot in the domain. Full RFC 5322 accepts
// addresses no CRM or e-mail tool downstream would take.
const EMAIL_PATTERN =
  /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** Trims and lowercases an e-mail address (matching is case-insensitive) after checking its syntax. */
export function normalizeEmail(input: string): EmailResult {
  const email = input.trim().toLowerCase();
  if (email.length > 254) return { ok: false, reason: 'must be at most 254 characters' };
  if (!EMAIL_PATTERN.test(email)) return { ok: false, reason: 'is not a valid e-mail address' };
  return { ok: true, email };
}
