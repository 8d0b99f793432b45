import type { EndpointRow } from '../db/tables.js';
import type { DeliveryContext } from './delivery-context.js';

/**
 * The secrets that sign now, in signing order: the first signs `X-Zupy-Signature` (a single value),
 * every one signs an entry of `webhook-signature`.
 *
 * During a rotation's grace period that is the previous secret, then the current one: a receiver of
 * GitHub's scheme holds one secret, so `X-Zupy-Signature` keeps the old one until the grace period
 * ends (when the receiver has had time to accept both) instead of breaking it the moment someone
 * clicks "Rotate". Outside a grace period (and after `grace_seconds: 0`) only the current one signs.
 */
export function endpointSecrets(ctx: DeliveryContext, row: EndpointRow, now: Date): string[] {
  const current = ctx.webhooks.secretBox.open(row.secret_ciphertext, row.id);
  if (
    row.previous_secret_ciphertext !== null &&
    row.previous_secret_expires_at !== null &&
    row.previous_secret_expires_at > now.toISOString()
  ) {
    return [ctx.webhooks.secretBox.open(row.previous_secret_ciphertext, row.id), current];
  }
  return [current];
}
