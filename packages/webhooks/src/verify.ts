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
  /** How far `webhook-timestamp` may be from now, in seconds (a finite number ≥ 0). Default 300. */
  toleranceSeconds?: number;
  /**
   * `true` accepts a delivery that carries only `X-Zupy-Signature`, without the `webhook-*` headers.
   * That gives up replay protection: `X-Zupy-Signature` signs the body alone, with no timestamp, so a
   * captured delivery verifies forever, and its `X-Zupy-Event-Id` (the dedupe key then) is not
   * signed either. Zupy sends the `webhook-*` headers with every delivery; when they are missing,
   * something on the way strips them. Fix that rather than turning this on. Default `false`.
   * Deliveries that do carry the `webhook-*` headers are checked by them either way.
   */
  allowReplayableZupySignature?: boolean;
  /** Unix seconds; for tests. */
  now?: number;
}

export interface VerifiedWebhook {
  /**
   * Which scheme matched: Standard Webhooks, or `X-Zupy-Signature` alone (only with
   * `allowReplayableZupySignature: true`, when the `webhook-*` headers are missing).
   */
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

/**
 * The tolerance to use, checked: replay protection rests on this number, and a NaN or Infinity
 * (`Number(process.env.UNSET)`) would switch it off without a word. Throws a `RangeError`.
 */
export function toleranceOf(options: Pick<VerifyOptions, 'toleranceSeconds'>): number {
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new RangeError(`toleranceSeconds must be a finite number of seconds ≥ 0, not ${String(tolerance)}`);
  }
  return tolerance;
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
  const tolerance = toleranceOf(options);
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

const STANDARD_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function missingHeaders(missing: readonly string[], hasZupySignature: boolean): WebhookVerificationError {
  if (!hasZupySignature && missing.length === STANDARD_HEADERS.length) {
    return new WebhookVerificationError(
      'missing_header',
      'no signature headers: webhook-id, webhook-timestamp and webhook-signature are missing (and X-Zupy-Signature too)',
    );
  }
  return new WebhookVerificationError(
    'missing_header',
    `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: Zupy sends the webhook-* headers ` +
      'with every delivery, and their timestamp is what refuses a replayed request (is a proxy stripping them?)' +
      (hasZupySignature
        ? '. X-Zupy-Signature alone is not accepted: it has no timestamp, so a captured delivery would verify ' +
          'forever (allowReplayableZupySignature: true accepts it anyway, giving up replay protection)'
        : ''),
  );
}

/**
 * Verifies a delivery in constant time by its Standard Webhooks headers (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`), timestamp included: a request older or newer than
 * `toleranceSeconds` is refused, so a captured delivery cannot be replayed later. A delivery without
 * them is refused too, unless `allowReplayableZupySignature: true`, which then checks
 * `X-Zupy-Signature` alone (no timestamp: no replay protection).
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
  toleranceOf(options);
  const [id, ts, sig] = STANDARD_HEADERS.map((name) => readHeader(options.headers, name));
  if (id !== undefined && ts !== undefined && sig !== undefined)
    return verifyStandard(options, secrets, id, ts, sig);
  const zupy = readHeader(options.headers, 'x-zupy-signature');
  // Only `true` itself: a string from the environment ("false") must not switch replay protection off.
  if (zupy !== undefined && options.allowReplayableZupySignature === true)
    return verifyZupy(options, secrets, zupy);
  throw missingHeaders(
    STANDARD_HEADERS.filter((name) => readHeader(options.headers, name) === undefined),
    zupy !== undefined,
  );
}
