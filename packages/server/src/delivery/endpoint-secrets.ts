import type { EndpointRow } from '../db/tables.js';
import type { DeliveryContext } from './delivery-context.js';

/** The secrets that sign now: the current one, then a rotated-out one still in its grace period. */
export function endpointSecrets(ctx: DeliveryContext, row: EndpointRow, now: Date): string[] {
  const secrets = [ctx.webhooks.secretBox.open(row.secret_ciphertext, row.id)];
  if (
    row.previous_secret_ciphertext !== null &&
    row.previous_secret_expires_at !== null &&
    row.previous_secret_expires_at > now.toISOString()
  ) {
    secrets.push(ctx.webhooks.secretBox.open(row.previous_secret_ciphertext, row.id));
  }
  return secrets;
}
