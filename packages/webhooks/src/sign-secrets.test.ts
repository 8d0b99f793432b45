import { describe, expect, it } from 'vitest';
import { WebhookVerificationError } from './errors.js';
import { signatureHeaders, standardWebhooksKey } from './sign.js';

const BASE64 = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function refusal(fn: () => unknown): WebhookVerificationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error;
    throw error;
  }
  throw new Error('expected a WebhookVerificationError');
}

describe('the Standard Webhooks key of a secret', () => {
  it('is the base64 after whsec_, decoded; a bare base64 secret is read the same', () => {
    expect(standardWebhooksKey(`whsec_${BASE64}`)).toEqual(Buffer.from(BASE64, 'base64'));
    expect(standardWebhooksKey(BASE64)).toEqual(Buffer.from(BASE64, 'base64'));
  });

  it.each(['whsec_', '', 'whsec_%%%%AAAA', 'whsec_AAAA%%%%', 'whsec_not base64!'])(
    'refuses %j with invalid_secret, saying what a secret looks like',
    (secret) => {
      const error = refusal(() => standardWebhooksKey(secret));
      expect(error.reason).toBe('invalid_secret');
      expect(error.message).toBe('the secret must be whsec_ followed by base64');
    },
  );
});

describe('signatureHeaders', () => {
  it('refuses an empty list of secrets with invalid_secret', () => {
    const error = refusal(() =>
      signatureHeaders({ secrets: [], eventId: 'evt_1', timestamp: 1, body: '{}' }),
    );
    expect(error.reason).toBe('invalid_secret');
    expect(error.message).toBe('no secret to sign with');
  });
});
