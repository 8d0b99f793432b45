import { WebhookVerificationError } from '../src/errors.js';

/** `reason: message` of the verification error `fn` throws, or `no error`; any other error is rethrown. */
export function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return `${error.reason}: ${error.message}`;
    throw error;
  }
  return 'no error';
}
