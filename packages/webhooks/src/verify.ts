import { WebhookVerificationError } from './errors.js';
import { signStandardWebhook, signZupySignature, type RawBody } from './sign.js';
import { timingSafeEqual } from './timing-safe-equal.js';

/** Default tolerance for `webhook-timestamp`: 5 minutes either way, as in Standard Webhooks. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type HeaderBag = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** The raw body exactly as received: never a re-serialized object. */
  body: RawBody;
  headers: HeaderBag;
  secret?: string;
  /** Several secrets during a rotation: any of them may match. */
  secrets?: readonly string[];
  toleranceSeconds?: number;
  /** Unix seconds; for tests. */
  now?: number;
}

export interface VerifiedWebhook {
  /** Which scheme matched: Standard Webhooks when its headers are present, else `X-Zupy-Signature`. */
  scheme: 'standard-webhooks' | 'zupy-signature';
  eventId: string | undefined;
  timestamp: number | undefined;
}

export function readHeader(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const value = bag[name] ?? bag[Object.keys(bag).find((k) => k.toLowerCase() === name) ?? ''];
  return Array.isArray(value) ? value[0] : value;
}

function secretsOf(options: VerifyOptions): readonly string[] {
  const secrets = options.secrets ?? (options.secret !== undefined ? [options.secret] : []);
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new WebhookVerificationError(
      'invalid_secret',
      'pass the endpoint secret (whsec_…) as `secret` or `secrets`',
    );
  }
  return secrets;
}

function verifyStandard(
  options: VerifyOptions,
  secrets: readonly string[],
  id: string,
  ts: string,
  sig: string,
): VerifiedWebhook {
  if (!/^\d{1,12}$/.test(ts))
    throw new WebhookVerificationError('malformed_header', 'webhook-timestamp must be unix seconds');
  const timestamp = Number(ts);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (timestamp < now - tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `webhook-timestamp is more than ${tolerance}s old: a replay, or a clock out of sync`,
    );
  }
  if (timestamp > now + tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_new',
      `webhook-timestamp is more than ${tolerance}s in the future: check this machine's clock`,
    );
  }
  const presented = sig.split(' ').filter(Boolean);
  if (presented.length === 0 || presented.some((p) => !p.includes(','))) {
    throw new WebhookVerificationError(
      'malformed_header',
      'webhook-signature must be space-separated "v1,<base64>" entries',
    );
  }
  for (const secret of secrets) {
    const expected = signStandardWebhook(secret, id, timestamp, options.body);
    // Compare against every entry, without stopping early on a match position.
    let matched = false;
    for (const candidate of presented) if (timingSafeEqual(candidate, expected)) matched = true;
    if (matched) return { scheme: 'standard-webhooks', eventId: id, timestamp };
  }
  throw new WebhookVerificationError(
    'signature_mismatch',
    'no webhook-signature entry matches this body and secret',
  );
}

function verifyZupy(options: VerifyOptions, secrets: readonly string[], header: string): VerifiedWebhook {
  if (!/^sha256=[0-9a-f]{64}$/.test(header)) {
    throw new WebhookVerificationError(
      'malformed_header',
      'X-Zupy-Signature must be "sha256=" and 64 lowercase hex digits',
    );
  }
  let matched = false;
  for (const secret of secrets)
    if (timingSafeEqual(signZupySignature(secret, options.body), header)) matched = true;
  if (!matched)
    throw new WebhookVerificationError(
      'signature_mismatch',
      'X-Zupy-Signature does not match this body and secret',
    );
  return { scheme: 'zupy-signature', eventId: undefined, timestamp: undefined };
}

/**
 * Verifies a delivery in constant time. When the Standard Webhooks headers are present they are
 * checked, timestamp included (replay protection); otherwise `X-Zupy-Signature` is.
 * Throws {@link WebhookVerificationError} with a `reason`.
 *
 * @example
 * verifySignature({ body: rawBody, headers: req.headers, secret: process.env.ZUPY_WEBHOOK_SECRET });
 */
export function verifySignature(options: VerifyOptions): VerifiedWebhook {
  const secrets = secretsOf(options);
  if (typeof options.body !== 'string' && !(options.body instanceof Uint8Array)) {
    // Plain JavaScript callers pass a parsed object, or the body under another name.
    throw new WebhookVerificationError(
      'invalid_payload',
      'pass the raw request body as `body` (a string or Buffer, exactly as received), not a parsed object',
    );
  }
  const id = readHeader(options.headers, 'webhook-id');
  const ts = readHeader(options.headers, 'webhook-timestamp');
  const sig = readHeader(options.headers, 'webhook-signature');
  if (id !== undefined && ts !== undefined && sig !== undefined)
    return verifyStandard(options, secrets, id, ts, sig);
  const zupy = readHeader(options.headers, 'x-zupy-signature');
  if (zupy === undefined) {
    throw new WebhookVerificationError(
      'missing_header',
      'neither X-Zupy-Signature nor the webhook-* headers are present',
    );
  }
  return verifyZupy(options, secrets, zupy);
}
