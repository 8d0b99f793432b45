import {
  formatTimestamp,
  type CustomerRegisteredEvent,
  type EventType,
  type TierUpgradedEvent,
  type ZupyEvent,
} from './events.js';

export interface SampleOptions {
  companyId?: string;
  now?: Date;
}

/**
 * The documentation's example payloads, for test sends and `zupy trigger`: the same people and
 * numbers as the docs, with your company id and the current time.
 */
export function sampleEvent(type: 'customer.registered', options?: SampleOptions): CustomerRegisteredEvent;
export function sampleEvent(type: 'tier.upgraded', options?: SampleOptions): TierUpgradedEvent;
export function sampleEvent(type: EventType, options?: SampleOptions): ZupyEvent;
export function sampleEvent(type: EventType, options: SampleOptions = {}): ZupyEvent {
  const timestamp = formatTimestamp(options.now ?? new Date());
  const companyId = options.companyId ?? 'comp_bella_vista';
  switch (type) {
    case 'customer.registered':
      return {
        event: 'customer.registered',
        timestamp,
        company_id: companyId,
        customer: {
          member_id: 'ZP-8B23CD41',
          whatsapp: '+5511965958122',
          email: 'joao.silva@example.com',
          name: 'João Silva',
          cpf: '12345678909',
          tier: 'bronze',
          created_at: timestamp,
        },
        welcome_reward: { enabled: true, type: 'points', points_awarded: 100 },
      };
    case 'tier.upgraded':
      return {
        event: 'tier.upgraded',
        timestamp,
        company_id: companyId,
        customer: {
          member_id: 'ZP-4F95FB0A',
          name: 'João Silva',
          whatsapp: '+5511965958122',
          email: 'joao.silva@example.com',
          tier: 'silver',
        },
        tier_change: {
          previous_tier: 'bronze',
          new_tier: 'silver',
          qualification_metric: 'points_balance',
          qualification_value: 2500,
          next_tier_requirements: { tier_name: 'gold', points_needed: 2500, total_points_required: 5000 },
        },
      };
  }
}
