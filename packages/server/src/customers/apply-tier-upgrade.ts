import type { Kysely } from 'kysely';
import type { CustomerRow, Tables } from '../db/tables.js';
import { tierUpgradedPayload } from '../events/event-payloads.js';
import { recordEvent } from '../events/record-event.js';
import { decideTierUpgrade, type TierUpgrade } from '../program/evaluate-tier.js';
import type { Program } from '../program/program.js';
import type { TierName } from '@zupy/webhooks';
import { customerMetrics } from './customer-profile.js';

/**
 * Re-evaluates a customer after an operation, inside its transaction: on an upgrade, stores the new
 * tier and records one `tier.upgraded` event, however many tiers were jumped.
 */
export async function applyTierUpgrade(
  trx: Kysely<Tables>,
  program: Program,
  customer: CustomerRow,
  now: Date,
  options: { emitEvents: boolean } = { emitEvents: true },
): Promise<TierUpgrade | null> {
  const upgrade = decideTierUpgrade(program, customer.tier as TierName, customerMetrics(customer));
  if (upgrade === null) return null;
  await trx
    .updateTable('customers')
    .set({ tier: upgrade.new_tier, updated_at: now.toISOString() })
    .where('id', '=', customer.id)
    .execute();
  if (!options.emitEvents) return upgrade;
  await recordEvent(
    trx,
    tierUpgradedPayload(customer, program, upgrade, program.qualification_metric, now),
    now,
  );
  return upgrade;
}
