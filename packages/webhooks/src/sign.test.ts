import { readFileSync } from 'node:fs';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { WebhookVerificationError } from './errors.js';
import { generateSecret } from './generate-secret.js';
import { signatureHeaders, signStandardWebhook, signZupySignature, standardWebhooksKey } from './sign.js';
import { verifySignature, type VerifyOptions } from './verify.js';

interface Vector {
  secret: string;
  event_id: string;
  timestamp: number;
  body: string;
  x_zupy_signature: string;
  webhook_signature: string;
}
const { vectors } = JSON.parse(readFileSync(new URL('../test-vectors.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
};

describe('signing matches the independently computed test vectors', () => {
  it.each(vectors)('$event_id', (v) => {
    expect(signZupySignature(v.secret, v.body)).toBe(v.x_zupy_signature);
    expect(signZupySignature(v.secret, Buffer.from(v.body, 'utf8'))).toBe(v.x_zupy_signature);
    expect(signStandardWebhook(v.secret, v.event_id, v.timestamp, v.body)).toBe(v.webhook_signature);
    const headers = signatureHeaders({
      secrets: [v.secret],
      eventId: v.event_id,
      timestamp: v.timestamp,
      body: v.body,
    });
    expect(headers).toEqual({
      'x-zupy-signature': v.x_zupy_signature,
      'webhook-id': v.event_id,
      'webhook-timestamp': String(v.timestamp),
      'webhook-signature': v.webhook_signature,
    });
    expect(verifySignature({ body: v.body, headers, secret: v.secret, now: v.timestamp })).toEqual({
      scheme: 'standard-webhooks',
      eventId: v.event_id,
      timestamp: v.timestamp,
    });
  });

  it('third-party verifiers of the same schemes accept what we sign', async () => {
    for (const v of vectors) {
      expect(await octokitVerify(v.secret, v.body, signZupySignature(v.secret, v.body))).toBe(true);
    }
    const secret = generateSecret();
    const body = JSON.stringify({ event: 'customer.registered', name: 'João' });
    const now = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders({ secrets: [secret], eventId: 'evt_x', timestamp: now, body });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });
});

describe('verifySignature', () => {
  const v = vectors[0]!;
  const signed = signatureHeaders({
    secrets: [v.secret],
    eventId: v.event_id,
    timestamp: v.timestamp,
    body: v.body,
  });

  function reason(fn: () => unknown): string | undefined {
    try {
      fn();
    } catch (error) {
      if (error instanceof WebhookVerificationError) return error.reason;
      throw error;
    }
    return undefined;
  }

  it('checks X-Zupy-Signature alone only when allowed to (verify.test.ts has the replay cases)', () => {
    expect(
      verifySignature({
        body: v.body,
        headers: { 'X-Zupy-Signature': v.x_zupy_signature },
        secret: v.secret,
        allowReplayableZupySignature: true,
      }),
    ).toEqual({ scheme: 'zupy-signature', eventId: undefined, timestamp: undefined });
  });

  it('reads a fetch Headers object too', () => {
    expect(
      verifySignature({ body: v.body, headers: new Headers(signed), secret: v.secret, now: v.timestamp })
        .scheme,
    ).toBe('standard-webhooks');
  });

  it('gives a reason for each kind of failure', () => {
    const at = { secret: v.secret, now: v.timestamp };
    expect(reason(() => verifySignature({ body: v.body, headers: {}, ...at }))).toBe('missing_header');
    expect(reason(() => verifySignature({ body: v.body + ' ', headers: signed, ...at }))).toBe(
      'signature_mismatch',
    );
    expect(
      reason(() =>
        verifySignature({ body: v.body, headers: signed, secret: generateSecret(), now: v.timestamp }),
      ),
    ).toBe('signature_mismatch');
    expect(
      reason(() =>
        verifySignature({ body: v.body, headers: signed, secret: v.secret, now: v.timestamp + 301 }),
      ),
    ).toBe('timestamp_too_old');
    expect(
      reason(() =>
        verifySignature({ body: v.body, headers: signed, secret: v.secret, now: v.timestamp - 301 }),
      ),
    ).toBe('timestamp_too_new');
    expect(
      reason(() =>
        verifySignature({ body: v.body, headers: { ...signed, 'webhook-timestamp': 'yesterday' }, ...at }),
      ),
    ).toBe('malformed_header');
    expect(
      reason(() =>
        verifySignature({ body: v.body, headers: { ...signed, 'webhook-signature': 'garbage' }, ...at }),
      ),
    ).toBe('malformed_header');
    const legacy = { ...at, allowReplayableZupySignature: true };
    expect(
      reason(() => verifySignature({ body: v.body, headers: { 'x-zupy-signature': 'md5=abc' }, ...legacy })),
    ).toBe('malformed_header');
    expect(
      reason(() =>
        verifySignature({
          body: v.body,
          headers: { 'x-zupy-signature': v.x_zupy_signature },
          secret: 'whsec_other',
          allowReplayableZupySignature: true,
        }),
      ),
    ).toBe('signature_mismatch');
    expect(reason(() => verifySignature({ body: v.body, headers: signed, now: v.timestamp }))).toBe(
      'invalid_secret',
    );
    expect(reason(() => standardWebhooksKey('whsec_not base64!'))).toBe('invalid_secret');
    // A plain JavaScript caller handing over a parsed object, or the body under another name.
    const parsed = JSON.parse(v.body) as unknown as string;
    expect(reason(() => verifySignature({ body: parsed, headers: signed, ...at }))).toBe('invalid_payload');
    expect(
      reason(() => verifySignature({ payload: v.body, headers: signed, ...at } as unknown as VerifyOptions)),
    ).toBe('invalid_payload');
  });

  it('accepts any of several secrets, and signs with each during a rotation', () => {
    const next = generateSecret();
    const rotating = signatureHeaders({
      secrets: [next, v.secret],
      eventId: 'evt_r',
      timestamp: 1000,
      body: v.body,
    });
    expect(rotating['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verifySignature({ body: v.body, headers: rotating, secret: v.secret, now: 1000 }).scheme).toBe(
      'standard-webhooks',
    );
    expect(verifySignature({ body: v.body, headers: rotating, secret: next, now: 1000 }).scheme).toBe(
      'standard-webhooks',
    );
    expect(
      verifySignature({ body: v.body, headers: signed, secrets: [next, v.secret], now: v.timestamp }).scheme,
    ).toBe('standard-webhooks');
  });

  it('secrets are whsec_ and base64 of 32 random bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(standardWebhooksKey(secret)).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
  });
});
