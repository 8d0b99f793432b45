import { describe, expect, it } from 'vitest';
import { WebhookVerificationError } from './errors.js';
import { serializeEvent } from './event-schemas.js';
import { generateSecret } from './generate-secret.js';
import { createWebhookHandler } from './handler.js';
import { sampleEvent } from './samples.js';
import { signatureHeaders } from './sign.js';
import { DEFAULT_TOLERANCE_SECONDS, verifySignature, type VerifyOptions } from './verify.js';

const secret = generateSecret();
const body = serializeEvent(sampleEvent('customer.registered'));
const sentAt = 1_756_222_200;
/** A delivery exactly as Zupy signs one (the server builds its headers with `signatureHeaders`). */
const delivery: Record<string, string> = {
  'content-type': 'application/json',
  'x-zupy-event': 'customer.registered',
  'x-zupy-event-id': 'evt_captured',
  ...signatureHeaders({ secrets: [secret], eventId: 'evt_captured', timestamp: sentAt, body }),
};

/** What an attacker who captured it can send: everything but the webhook-* headers. */
function stripped(
  headers: Record<string, string>,
  drop = ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
) {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !drop.includes(name)));
}

function failure(options: Partial<VerifyOptions>): WebhookVerificationError | undefined {
  try {
    verifySignature({ body, headers: delivery, secret, now: sentAt, ...options });
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error;
    throw error;
  }
  return undefined;
}

describe('a captured delivery replayed without its webhook-* headers', () => {
  it('is refused by default, hours later as at once, and the message says why and what would accept it', () => {
    for (const now of [sentAt, sentAt + 6 * 3600]) {
      const error = failure({ headers: stripped(delivery), now });
      expect(error?.reason).toBe('missing_header');
      expect(error?.message).toContain('webhook-id, webhook-timestamp, webhook-signature are missing');
      expect(error?.message).toContain('X-Zupy-Signature alone is not accepted');
      expect(error?.message).toContain('allowReplayableZupySignature: true');
    }
  });

  it('is refused when any one of the three is missing, naming it', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const error = failure({ headers: stripped(delivery, [name]) });
      expect(error?.reason, name).toBe('missing_header');
      expect(error?.message, name).toMatch(new RegExp(`^${name} is missing`));
    }
  });

  it('is accepted only with allowReplayableZupySignature: true, which checks X-Zupy-Signature', () => {
    const headers = stripped(delivery);
    expect(verifySignature({ body, headers, secret, allowReplayableZupySignature: true })).toEqual({
      scheme: 'zupy-signature',
      eventId: undefined,
      timestamp: undefined,
    });
    expect(failure({ headers, allowReplayableZupySignature: true, secret: generateSecret() })?.reason).toBe(
      'signature_mismatch',
    );
    expect(failure({ headers, body: body + ' ', allowReplayableZupySignature: true })?.reason).toBe(
      'signature_mismatch',
    );
    // Anything but `true` keeps the default: a string from the environment is not a yes.
    for (const value of [false, 'true', 'false', 1])
      expect(
        failure({ headers, allowReplayableZupySignature: value as boolean })?.reason,
        String(value),
      ).toBe('missing_header');
  });

  it('the option never weakens a delivery that does carry the webhook-* headers', () => {
    const allow = { allowReplayableZupySignature: true };
    expect(failure({ ...allow, now: sentAt + 3600 })?.reason).toBe('timestamp_too_old');
    expect(failure({ ...allow, headers: { ...delivery, 'webhook-signature': 'v1,AAAA' } })?.reason).toBe(
      'signature_mismatch',
    );
    expect(verifySignature({ body, headers: delivery, secret, now: sentAt, ...allow }).scheme).toBe(
      'standard-webhooks',
    );
  });

  it('without any signature header at all, says so', () => {
    const error = failure({ headers: { 'content-type': 'application/json' } });
    expect(error?.reason).toBe('missing_header');
    expect(error?.message).toContain('no signature headers');
    // The option cannot help without X-Zupy-Signature.
    expect(failure({ headers: {}, allowReplayableZupySignature: true })?.message).toContain(
      'no signature headers',
    );
    expect(failure({ headers: stripped(delivery, ['webhook-id', 'x-zupy-signature']) })?.message).toBe(
      'webhook-id is missing: Zupy sends the webhook-* headers with every delivery, and their timestamp is what refuses a replayed request (is a proxy stripping them?)',
    );
  });
});

describe('the timestamp tolerance', () => {
  it('accepts a timestamp exactly 300 s away by default, either way, and refuses one second more', () => {
    expect(DEFAULT_TOLERANCE_SECONDS).toBe(300);
    expect(failure({ now: sentAt + 300 })).toBeUndefined();
    expect(failure({ now: sentAt + 301 })?.reason).toBe('timestamp_too_old');
    expect(failure({ now: sentAt - 300 })).toBeUndefined();
    expect(failure({ now: sentAt - 301 })?.reason).toBe('timestamp_too_new');
  });

  it('toleranceSeconds moves the limit: 60 accepts 60 s and refuses 61; 0 accepts only the same second', () => {
    expect(failure({ now: sentAt + 60, toleranceSeconds: 60 })).toBeUndefined();
    expect(failure({ now: sentAt + 61, toleranceSeconds: 60 })?.reason).toBe('timestamp_too_old');
    expect(failure({ now: sentAt - 60, toleranceSeconds: 60 })).toBeUndefined();
    expect(failure({ now: sentAt - 61, toleranceSeconds: 60 })?.reason).toBe('timestamp_too_new');
    expect(failure({ now: sentAt + 120, toleranceSeconds: 60 })?.message).toContain('more than 60s old');
    expect(failure({ now: sentAt, toleranceSeconds: 0 })).toBeUndefined();
    expect(failure({ now: sentAt + 1, toleranceSeconds: 0 })?.reason).toBe('timestamp_too_old');
    // A larger tolerance accepts what the default refuses.
    expect(failure({ now: sentAt + 900, toleranceSeconds: 900 })).toBeUndefined();
  });

  it('a tolerance that would switch replay protection off is a RangeError, in verifySignature and at handler creation', () => {
    for (const toleranceSeconds of [Number.NaN, Number.POSITIVE_INFINITY, -1]) {
      expect(() => failure({ toleranceSeconds }), String(toleranceSeconds)).toThrow(RangeError);
      expect(
        () => createWebhookHandler({ secret, on: {}, toleranceSeconds }),
        String(toleranceSeconds),
      ).toThrow(/toleranceSeconds must be a finite number/);
    }
  });
});

describe('a rotation where the matching secret is neither the first nor the last of the list', () => {
  // Signed with `middle` alone, as a sender still on the old secret would: the receiver lists three.
  const [before, middle, after] = [generateSecret(), generateSecret(), generateSecret()];
  const secrets = [before, middle, after];
  const signed = {
    ...delivery,
    ...signatureHeaders({ secrets: [middle], eventId: 'evt_rotating', timestamp: sentAt, body }),
  };

  it('X-Zupy-Signature alone (allowReplayableZupySignature: true) matches the middle secret', () => {
    const headers = stripped(signed);
    expect(
      verifySignature({ body, headers, secrets, allowReplayableZupySignature: true, now: sentAt }).scheme,
    ).toBe('zupy-signature');
    // Without it in the list, nothing matches.
    expect(failure({ headers, secrets: [before, after], allowReplayableZupySignature: true })?.reason).toBe(
      'signature_mismatch',
    );
  });

  it('webhook-signature matches the middle secret, and the middle of several entries', () => {
    expect(verifySignature({ body, headers: signed, secrets, now: sentAt }).scheme).toBe('standard-webhooks');
    // The sender signing with three secrets: the receiver knowing only the middle one matches its entry.
    const three = signatureHeaders({ secrets, eventId: 'evt_rotating', timestamp: sentAt, body });
    expect(three['webhook-signature']!.split(' ')).toHaveLength(3);
    expect(verifySignature({ body, headers: three, secret: middle, now: sentAt }).scheme).toBe(
      'standard-webhooks',
    );
    expect(failure({ headers: signed, secrets: [before, after] })?.reason).toBe('signature_mismatch');
  });

  it('the handler with secret: [a, b, c] accepts a delivery signed with b, by either scheme', async () => {
    const seen: string[] = [];
    const on = { 'customer.registered': (event: { event: string }) => void seen.push(event.event) };
    // The handler checks the timestamp against the clock: signed now.
    const fresh = {
      ...delivery,
      ...signatureHeaders({
        secrets: [middle],
        eventId: 'evt_rotating',
        timestamp: Math.floor(Date.now() / 1000),
        body,
      }),
    };
    const standard = createWebhookHandler({ secret: secrets, on, idempotency: false });
    expect((await standard({ rawBody: body, headers: fresh })).status).toBe(200);
    const replayable = createWebhookHandler({
      secret: secrets,
      on,
      idempotency: false,
      allowReplayableZupySignature: true,
    });
    expect((await replayable({ rawBody: body, headers: stripped(signed) })).status).toBe(200);
    expect(seen).toEqual(['customer.registered', 'customer.registered']);
    const wrong = createWebhookHandler({ secret: [before, after], on, allowReplayableZupySignature: true });
    expect(await wrong({ rawBody: body, headers: stripped(signed) })).toMatchObject({
      status: 401,
      body: { error: 'signature_mismatch' },
    });
  });
});
