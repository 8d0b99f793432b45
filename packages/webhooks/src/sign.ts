import { createHmac } from 'node:crypto';
import { WebhookVerificationError } from './errors.js';

export const SECRET_PREFIX = 'whsec_';

/** The body as the bytes that were signed: strings are taken as UTF-8. */
export type RawBody = string | Uint8Array;

function bodyBytes(body: RawBody): Buffer {
  return typeof body === 'string'
    ? Buffer.from(body, 'utf8')
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * `X-Zupy-Signature`: `sha256=` + hex HMAC-SHA256 of the exact body, keyed by the whole secret string
 * (`whsec_…`) as UTF-8 — the same scheme as GitHub's `X-Hub-Signature-256`.
 *
 * @example
 * signZupySignature('whsec_MfKQ…', rawBody) // 'sha256=5257a869…'
 */
export function signZupySignature(secret: string, body: RawBody): string {
  return 'sha256=' + createHmac('sha256', Buffer.from(secret, 'utf8')).update(bodyBytes(body)).digest('hex');
}

/** The HMAC key of the Standard Webhooks scheme: the base64 part of the secret after `whsec_`, decoded. */
export function standardWebhooksKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new WebhookVerificationError('invalid_secret', 'the secret must be whsec_ followed by base64');
  }
  return Buffer.from(encoded, 'base64');
}

/** One `v1,<base64>` signature of `id.timestamp.body` (Standard Webhooks). */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: RawBody): string {
  const mac = createHmac('sha256', standardWebhooksKey(secret));
  mac.update(`${id}.${timestamp}.`, 'utf8');
  mac.update(bodyBytes(body));
  return 'v1,' + mac.digest('base64');
}

export interface SignedHeadersInput {
  /**
   * The secret for `X-Zupy-Signature` first, then any others still valid; each one signs an entry of
   * `webhook-signature`. Zupy puts the previous secret first during a rotation's grace period (so a
   * receiver holding one secret keeps verifying `X-Zupy-Signature`), and the current one after it.
   */
  secrets: readonly string[];
  eventId: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
  body: RawBody;
}

/**
 * The signature headers of one attempt: `X-Zupy-Signature` with the first secret, and the Standard
 * Webhooks trio with one `v1,` entry per secret, space separated.
 */
export function signatureHeaders(input: SignedHeadersInput): Record<string, string> {
  const [current] = input.secrets;
  if (current === undefined) throw new WebhookVerificationError('invalid_secret', 'no secret to sign with');
  return {
    'x-zupy-signature': signZupySignature(current, input.body),
    'webhook-id': input.eventId,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': input.secrets
      .map((s) => signStandardWebhook(s, input.eventId, input.timestamp, input.body))
      .join(' '),
  };
}
