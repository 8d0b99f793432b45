import type { TierName } from '@zupy/webhooks';
import { ZupyError, invalidField } from '../errors.js';
import { tierUpgradedPayload } from '../events/event-payloads.js';
import { recordEvent } from '../events/record-event.js';
import { metricValue, tierRank } from '../program/evaluate-tier.js';
import { getProgram } from '../program/program-store.js';
import type { AppContext } from '../shared/context.js';
import {
  customerMetrics,
  findCustomer,
  toCustomerProfile,
  type CustomerProfile,
} from './customer-profile.js';
import { runInTransaction } from '../db/transaction.js';

export interface SetTierResult {
  previous_tier: string;
  tier: string;
  tier_upgraded: boolean;
  customer: CustomerProfile;
}

/**
 * A manual tier change (admin panel or API). Upward emits `tier.upgraded` with `custom_criteria`;
 * downward is allowed, sends nothing, and the next operation re-evaluates from there.
 */
export async function setCustomerTier(
  ctx: AppContext,
  companyId: string,
  memberId: string,
  tier: TierName,
): Promise<SetTierResult> {
  const result = await runInTransaction(ctx.db, async (trx) => {
    const customer = await findCustomer(trx, companyId, memberId, true);
    const program = await getProgram(trx, companyId);
    if (!program.tiers_enabled) {
      throw new ZupyError('ZUPY_CONFLICT', 'tiers are disabled in this company’s loyalty program');
    }
    if (tierRank(program, tier) < 0) {
      throw invalidField(
        'tier',
        'not_a_tier',
        `is not a tier of this program (${program.tiers.map((t) => t.name).join(', ')})`,
        { tiers: program.tiers.map((t) => t.name).join(', ') },
      );
    }
    const now = ctx.clock();
    const previous = customer.tier as TierName;
    const upgraded = tierRank(program, tier) > tierRank(program, previous);
    if (tier !== previous) {
      await trx
        .updateTable('customers')
        .set({ tier, updated_at: now.toISOString() })
        .where('id', '=', customer.id)
        .execute();
    }
    if (upgraded) {
      const value = metricValue(customerMetrics(customer), program.qualification_metric);
      const upgrade = { previous_tier: previous, new_tier: tier, qualification_value: value };
      await recordEvent(trx, tierUpgradedPayload(customer, program, upgrade, 'custom_criteria', now), now);
    }
    const updated = {
      ...customer,
      tier,
      updated_at: tier !== previous ? now.toISOString() : customer.updated_at,
    };
    return { previous_tier: previous, tier, tier_upgraded: upgraded, customer: toCustomerProfile(updated) };
  });
  return result;
}
