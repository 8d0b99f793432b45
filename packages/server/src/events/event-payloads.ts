import {
  formatTimestamp,
  type CustomerDeletedEvent,
  type CustomerField,
  type CustomerUpdatedEvent,
  type CustomerRegisteredEvent,
  type TierName,
  type TierUpgradedEvent,
  type WelcomeReward,
} from '@zupy/webhooks';
import type { CustomerRow } from '../db/tables.js';
import type { TierUpgrade } from '../program/evaluate-tier.js';
import { nextTierRequirements } from '../program/evaluate-tier.js';
import type { Program, ProgramMetric } from '../program/program.js';
import { apiTimestamp } from '../shared/timestamps.js';

/** The body of `customer.registered` for a customer just inserted. */
export function customerRegisteredPayload(
  customer: Pick<
    CustomerRow,
    'member_id' | 'company_id' | 'whatsapp' | 'email' | 'name' | 'cpf' | 'created_at'
  >,
  tier: TierName,
  welcomeReward: WelcomeReward,
  now: Date,
): CustomerRegisteredEvent {
  return {
    event: 'customer.registered',
    timestamp: formatTimestamp(now),
    company_id: customer.company_id,
    customer: {
      member_id: customer.member_id,
      whatsapp: customer.whatsapp,
      email: customer.email,
      name: customer.name,
      cpf: customer.cpf,
      tier,
      created_at: apiTimestamp(customer.created_at),
    },
    welcome_reward: welcomeReward,
  };
}

/** The body of `tier.upgraded`; `metric` is `custom_criteria` for a manual change. */
export function tierUpgradedPayload(
  customer: Pick<CustomerRow, 'member_id' | 'company_id' | 'whatsapp' | 'email' | 'name'>,
  program: Program,
  upgrade: TierUpgrade,
  metric: ProgramMetric | 'custom_criteria',
  now: Date,
): TierUpgradedEvent {
  return {
    event: 'tier.upgraded',
    timestamp: formatTimestamp(now),
    company_id: customer.company_id,
    customer: {
      member_id: customer.member_id,
      name: customer.name,
      whatsapp: customer.whatsapp,
      email: customer.email,
      tier: upgrade.new_tier,
    },
    tier_change: {
      previous_tier: upgrade.previous_tier,
      new_tier: upgrade.new_tier,
      qualification_metric: metric,
      qualification_value: upgrade.qualification_value,
      next_tier_requirements: nextTierRequirements(program, upgrade.new_tier, upgrade.qualification_value),
    },
  };
}

/** The body of `customer.updated`: the customer after the change, and what changed. */
export function customerUpdatedPayload(
  customer: Pick<
    CustomerRow,
    | 'member_id'
    | 'company_id'
    | 'whatsapp'
    | 'email'
    | 'name'
    | 'cpf'
    | 'tier'
    | 'marketing_whatsapp'
    | 'marketing_email'
  >,
  changedFields: CustomerField[],
  now: Date,
): CustomerUpdatedEvent {
  return {
    event: 'customer.updated',
    timestamp: formatTimestamp(now),
    company_id: customer.company_id,
    customer: {
      member_id: customer.member_id,
      whatsapp: customer.whatsapp,
      email: customer.email,
      name: customer.name,
      cpf: customer.cpf,
      tier: customer.tier as TierName,
      marketing_opt_in: {
        whatsapp: Number(customer.marketing_whatsapp) === 1,
        email: Number(customer.marketing_email) === 1,
      },
    },
    changed_fields: changedFields,
  };
}

/** The body of `customer.deleted`: the member id only, nothing personal. */
export function customerDeletedPayload(companyId: string, memberId: string, now: Date): CustomerDeletedEvent {
  return {
    event: 'customer.deleted',
    timestamp: formatTimestamp(now),
    company_id: companyId,
    customer: { member_id: memberId },
    deleted_at: formatTimestamp(now),
  };
}
