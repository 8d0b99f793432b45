import { describe, expect, it } from 'vitest';
import { WebhookVerificationError } from './errors.js';
import { signatureHeaders, signZupySignature } from './sign.js';
import { verifySignature, type VerifyOptions } from './verify.js';

/** Each refusal: its reason, and a message that names the problem (integrators read it in their logs). */
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = '{"id":"evt_1"}';
const sentAt = 1_756_222_200;
const signed = signatureHeaders({ secrets: [secret], eventId: 'evt_1', timestamp: sentAt, body });
const zupyOnly = { 'x-zupy-signature': signZupySignature(secret, body) };

function refusal(options: Partial<VerifyOptions>): WebhookVerificationError {
  return refused({ body, headers: signed, secret, now: sentAt, ...options });
}

function refused(options: VerifyOptions): WebhookVerificationError {
  try {
    verifySignature(options);
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error;
    throw error;
  }
  throw new Error('expected a WebhookVerificationError');
}

describe('the secrets passed to verifySignature', () => {
  it.each([
    ['no secret', {}],
    ['an empty secret', { secret: '' }],
    ['an empty secret after a good one', { secrets: [secret, ''] }],
    ['a number among the secrets', { secrets: [secret, 42 as unknown as string] }],
  ])('%s is invalid_secret, asking for the endpoint secret', (_, options) => {
    for (const headers of [signed, zupyOnly]) {
      const error = refused({ body, now: sentAt, ...options, headers, allowReplayableZupySignature: true });
      expect(error.reason).toBe('invalid_secret');
      expect(error.message).toBe('pass the endpoint secret (whsec_…) as `secret` or `secrets`');
    }
  });
});

describe('webhook-timestamp', () => {
  it.each([`x${sentAt}`, `${sentAt}x`, '1'.repeat(13), '', `${sentAt}.5`])('%j is malformed_header', (ts) => {
    const error = refusal({ headers: { ...signed, 'webhook-timestamp': ts } });
    expect(error.reason).toBe('malformed_header');
    expect(error.message).toBe('webhook-timestamp must be unix seconds');
  });

  it('too old and too new say which, with the tolerance in use', () => {
    const old = refusal({ now: sentAt + 61, toleranceSeconds: 60 });
    expect(old.reason).toBe('timestamp_too_old');
    expect(old.message).toBe('webhook-timestamp is more than 60s old: a replay, or a clock out of sync');
    const future = refusal({ now: sentAt - 61, toleranceSeconds: 60 });
    expect(future.reason).toBe('timestamp_too_new');
    expect(future.message).toBe(
      "webhook-timestamp is more than 60s in the future: check this machine's clock",
    );
  });
});

describe('webhook-signature', () => {
  const good = signed['webhook-signature']!;

  it('accepts its entry among extra spaces', () => {
    const headers = { ...signed, 'webhook-signature': `  ${good}   v1,AAAA  ` };
    expect(verifySignature({ body, headers, secret, now: sentAt }).scheme).toBe('standard-webhooks');
  });

  it.each(['', '   ', 'garbage', `${good} garbage`, `garbage ${good}`])('%j is malformed_header', (sig) => {
    const error = refusal({ headers: { ...signed, 'webhook-signature': sig } });
    expect(error.reason).toBe('malformed_header');
    expect(error.message).toBe('webhook-signature must be space-separated "v1,<base64>" entries');
  });

  it('a well-formed entry of another body is signature_mismatch', () => {
    const error = refusal({ body: `${body} ` });
    expect(error.reason).toBe('signature_mismatch');
    expect(error.message).toBe('no webhook-signature entry matches this body and secret');
  });
});

describe('X-Zupy-Signature alone (allowReplayableZupySignature: true)', () => {
  const allowed = { allowReplayableZupySignature: true } as const;
  const good = zupyOnly['x-zupy-signature'];

  it.each([`x${good}`, `${good}0`, good.toUpperCase(), 'sha256='])('%j is malformed_header', (header) => {
    const error = refusal({ ...allowed, headers: { 'x-zupy-signature': header } });
    expect(error.reason).toBe('malformed_header');
    expect(error.message).toBe('X-Zupy-Signature must be "sha256=" and 64 lowercase hex digits');
  });

  it('a well-formed signature of another body is signature_mismatch', () => {
    const error = refusal({ ...allowed, headers: zupyOnly, body: `${body} ` });
    expect(error.reason).toBe('signature_mismatch');
    expect(error.message).toBe('X-Zupy-Signature does not match this body and secret');
  });
});

describe('the body', () => {
  it('a parsed object is invalid_payload, asking for the raw body', () => {
    const error = refusal({ body: JSON.parse(body) as string });
    expect(error.reason).toBe('invalid_payload');
    expect(error.message).toBe(
      'pass the raw request body as `body` (a string or Buffer, exactly as received), not a parsed object',
    );
  });
});
