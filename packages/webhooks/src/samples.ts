import type {
  CouponRedeemedEvent,
  CouponUsedEvent,
  CustomerEvent,
  CustomerEventType,
  CustomerDeletedEvent,
  CustomerRegisteredEvent,
  CustomerUpdatedEvent,
  DeliveryFailedEvent,
  EndpointDisabledEvent,
  EndpointEnabledEvent,
  EndpointSummary,
  EventType,
  OperationalEvent,
  OperationalEventType,
  PointsEarnedEvent,
  TierUpgradedEvent,
  ZupyEvent,
} from './events.js';
import { formatTimestamp } from './event-schemas.js';

export interface SampleOptions {
  companyId?: string;
  now?: Date;
}

const MINUTE = 60_000;

/** The endpoint the operational samples are about: the docs' CRM integration. */
const SAMPLE_ENDPOINT: EndpointSummary = {
  id: 'ep_3kT9xQbW7mZp2LrV8sYcN4dF',
  url: 'https://crm.example.com/webhooks/zupy',
  description: 'CRM sync',
};

/** The member of the coupon samples. */
const SAMPLE_COUPON_CUSTOMER = {
  member_id: 'ZP-8B23CD41',
  whatsapp: '+5511965958122',
  email: 'joao.silva@example.com',
  name: 'João Silva',
  tier: 'silver',
} as const;

/**
 * The documentation's example payloads, for test sends and `zupy trigger`: the same people and
 * numbers as the docs, with your company id and the current time (the operational samples' other
 * timestamps are set relative to it: a streak that began 5 days before, a probe due in 5 minutes).
 */
export function sampleEvent(type: 'customer.registered', options?: SampleOptions): CustomerRegisteredEvent;
export function sampleEvent(type: 'tier.upgraded', options?: SampleOptions): TierUpgradedEvent;
export function sampleEvent(type: 'coupon.redeemed', options?: SampleOptions): CouponRedeemedEvent;
export function sampleEvent(type: 'coupon.used', options?: SampleOptions): CouponUsedEvent;
export function sampleEvent(type: 'points.earned', options?: SampleOptions): PointsEarnedEvent;
export function sampleEvent(type: 'customer.updated', options?: SampleOptions): CustomerUpdatedEvent;
export function sampleEvent(type: 'customer.deleted', options?: SampleOptions): CustomerDeletedEvent;
export function sampleEvent(type: 'endpoint.disabled', options?: SampleOptions): EndpointDisabledEvent;
export function sampleEvent(type: 'endpoint.enabled', options?: SampleOptions): EndpointEnabledEvent;
export function sampleEvent(type: 'delivery.failed', options?: SampleOptions): DeliveryFailedEvent;
export function sampleEvent(type: CustomerEventType, options?: SampleOptions): CustomerEvent;
export function sampleEvent(type: OperationalEventType, options?: SampleOptions): OperationalEvent;
export function sampleEvent(type: EventType, options?: SampleOptions): ZupyEvent;
export function sampleEvent(type: EventType, options: SampleOptions = {}): ZupyEvent {
  const now = options.now ?? new Date();
  const timestamp = formatTimestamp(now);
  const at = (minutesFromNow: number) => formatTimestamp(new Date(now.getTime() + minutesFromNow * MINUTE));
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
    case 'coupon.redeemed':
      return {
        event: 'coupon.redeemed',
        timestamp,
        company_id: companyId,
        customer: { ...SAMPLE_COUPON_CUSTOMER },
        coupon: {
          coupon_code: 'CZ-7K2M9QXA',
          reward_id: 'rwd_5sVn2QpL8xWm3KcR7tYb9DfH',
          reward_name: 'Sobremesa grátis',
          reward_description: 'Uma sobremesa do cardápio, por conta da casa',
          points_spent: 500,
          new_balance: 2000,
          expires_at: at(30 * 24 * 60),
          terms: 'Válido de segunda a quinta; um por pedido',
          redemption_method: 'app',
        },
        discount_details: {
          discount_type: 'product_free',
          discount_value: 0,
          maximum_discount: 25,
          minimum_purchase: 50,
        },
      };
    case 'coupon.used':
      return {
        event: 'coupon.used',
        timestamp,
        company_id: companyId,
        customer: { ...SAMPLE_COUPON_CUSTOMER },
        usage: {
          coupon_code: 'CZ-7K2M9QXA',
          reward_name: 'Sobremesa grátis',
          discount_type: 'product_free',
          discount_applied: 24.9,
          order_value: 89.7,
          final_value: 64.8,
          location: 'Bella Vista Pinheiros',
          staff_member: 'Ana',
          platform: 'pos',
          order_id: 'PDV-10293',
          items_affected: [{ name: 'Petit gâteau', quantity: 1, unit_price: 24.9, discount_applied: 24.9 }],
        },
      };
    case 'customer.updated':
      return {
        event: 'customer.updated',
        timestamp,
        company_id: companyId,
        customer: {
          member_id: 'ZP-8B23CD41',
          whatsapp: '+5511965958122',
          email: 'joao.silva@example.com.br',
          name: 'João Silva',
          cpf: '12345678909',
          tier: 'bronze',
          marketing_opt_in: { whatsapp: true, email: false },
        },
        changed_fields: ['email', 'marketing_opt_in'],
      };
    case 'customer.deleted':
      return {
        event: 'customer.deleted',
        timestamp,
        company_id: companyId,
        customer: { member_id: 'ZP-8B23CD41' },
        deleted_at: timestamp,
      };
    case 'points.earned':
      // R$ 89,90 at 1 point per real, floor: 89.9 → 89 base points; the R$ 39,90 pizza earns ×2 in
      // its category (129.8 → 129, +40), happy hour ×1.5 (194.7 → 194, +65), silver ×1.25
      // (243.375 → 243, +49): 243 points, each bonus what it added to the rounded running total.
      return {
        event: 'points.earned',
        timestamp,
        company_id: companyId,
        customer: {
          member_id: 'ZP-4F95FB0A',
          whatsapp: '+5511965958122',
          email: 'joao.silva@example.com',
          name: 'João Silva',
          tier: 'silver',
        },
        transaction: {
          transaction_id: 'txn_8Kp2VfQ7mZ3xW9bLcR4tYs6N',
          order_id: 'PED-2025-08-26-0042',
          order_value: 89.9,
          platform: 'pos',
          points_earned: 243,
          base_points: 89,
          bonus_points: 154,
          new_balance: 2980,
          items_count: 3,
          payment_method: 'pix',
        },
        bonuses: [
          { type: 'category_bonus', multiplier: 2, description: 'Pizzas ×2', bonus_points: 40 },
          { type: 'happy_hour', multiplier: 1.5, description: 'Happy hour 17:00–19:00', bonus_points: 65 },
          { type: 'tier_multiplier', multiplier: 1.25, description: 'Silver ×1.25', bonus_points: 49 },
        ],
        next_tier: {
          tier_name: 'gold',
          points_needed: 2020,
          progress_percentage: 59.6,
          benefits_preview: ['Free dessert every visit', 'Priority table'],
        },
      };
    case 'endpoint.disabled':
      return {
        event: 'endpoint.disabled',
        timestamp,
        company_id: companyId,
        endpoint: { ...SAMPLE_ENDPOINT },
        reason: {
          code: 'failure_streak',
          message: `every attempt failed since ${at(-5 * 24 * 60)}`,
        },
        last_attempt: { status: 503, error: null, error_code: null, at: timestamp },
        deliveries: { held: 12, failed_last_24h: 3 },
        failing_since: at(-5 * 24 * 60),
        disabled_at: timestamp,
        next_probe_at: at(5),
      };
    case 'endpoint.enabled':
      return {
        event: 'endpoint.enabled',
        timestamp,
        company_id: companyId,
        endpoint: { ...SAMPLE_ENDPOINT },
        enabled_by: 'probe',
        disabled_at: at(-20),
        deliveries: { held: 12, failed_last_24h: 3 },
        discarded: 0,
      };
    case 'delivery.failed':
      return {
        event: 'delivery.failed',
        timestamp,
        company_id: companyId,
        endpoint: { ...SAMPLE_ENDPOINT },
        delivery: {
          id: 'dlv_7Hq2WmX9cVbN4kLp8RtY3sZa',
          event_id: 'evt_2Zr5fV9qVgV8bqvPz6n3lQ1T',
          event_type: 'customer.registered',
          attempts: 5,
          // 1 + 5 + 15 + 60 minutes of retries before the 5th attempt.
          created_at: at(-81),
        },
        last_attempt: { status: 500, error: null, error_code: null, at: timestamp },
        deliveries: { held: 0, failed_last_24h: 1 },
      };
  }
}
