/**
 * The wire contract of Zupy's outbound webhooks: each event is defined once, below, and that
 * definition gives its TypeScript type, its run-time validation (`parseEvent`), the key order of
 * the body the server sends (`serializeEvent`) and its JSON Schema (`eventJsonSchema`).
 */
import {
  array,
  boolean,
  described,
  integer,
  literal,
  nullable,
  number,
  object,
  oneOf,
  string,
  tagged,
  type Infer,
  type Schema,
} from './schema.js';
import {
  BONUS_TYPES,
  COUPON_PLATFORMS,
  CUSTOMER_FIELDS,
  DISABLE_REASON_CODES,
  DISCOUNT_TYPES,
  EARNING_PLATFORMS,
  REDEMPTION_METHODS,
  QUALIFICATION_METRICS,
  TIER_NAMES,
  type CustomerEventType,
  type CustomerField,
  type EventType,
} from './events.js';

const timestamp = string(
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
  'an ISO 8601 UTC timestamp like 2025-08-26T15:30:00Z',
);
const eventTime = described('When the event happened (ISO 8601 UTC, second precision)', timestamp);
const memberId = string(/^ZP-[0-9A-F]{8}$/, 'a member id like ZP-8B23CD41');
const whatsapp = string(/^\+[1-9]\d{6,14}$/, 'an E.164 phone number like +5511965958122');
const email = nullable(string());
const tier = oneOf(TIER_NAMES);

const welcomeReward = tagged('type', {
  none: object({ enabled: literal(false), type: literal('none') }),
  points: object({ enabled: literal(true), type: literal('points'), points_awarded: number() }),
  coupon: object({
    enabled: literal(true),
    type: literal('coupon'),
    coupon_code: string(/^CP-[0-9A-F]{8}$/, 'a coupon code like CP-1A2B3C4D'),
  }),
});

const customerRegistered = object({
  event: literal('customer.registered'),
  timestamp: eventTime,
  company_id: string(),
  customer: object({
    member_id: memberId,
    whatsapp,
    email: described('The e-mail the customer gave, or null', email),
    name: string(),
    cpf: described('11 digits, check digits valid, or null', nullable(string(/^\d{11}$/, '11 digits'))),
    tier: described("The customer's tier after registration (the program's lowest)", tier),
    created_at: described('When the customer joined', timestamp),
  }),
  welcome_reward: described('What the program gave the new member', welcomeReward),
});

const tierUpgraded = object({
  event: literal('tier.upgraded'),
  timestamp: eventTime,
  company_id: string(),
  customer: object({
    member_id: memberId,
    name: string(),
    whatsapp,
    email: described('The e-mail the customer gave, or null', email),
    tier: described('The new tier', tier),
  }),
  tier_change: object({
    previous_tier: tier,
    new_tier: tier,
    qualification_metric: described('`custom_criteria` for a manual change', oneOf(QUALIFICATION_METRICS)),
    qualification_value: described("The metric's value at the upgrade", number()),
    next_tier_requirements: described(
      "What the next tier takes, in the metric's unit, or null at the top tier",
      nullable(object({ tier_name: tier, points_needed: number(), total_points_required: number() })),
    ),
  }),
});

/** The member a coupon event is about, as `tier.upgraded` gives it (the key order of the contract). */
const couponCustomer = object({
  member_id: memberId,
  whatsapp,
  email: described('The e-mail the customer gave, or null', email),
  name: string(),
  tier: described("The customer's tier", tier),
});

const couponCode = string(
  /^C[PZ]-[0-9A-Z]{8}$/,
  'a coupon code like CZ-7K2M9QXA (a welcome coupon, validated like any other, keeps its CP-1A2B3C4D)',
);
const brl = (description: string) => described(`${description}, in BRL (two decimals)`, number());

const couponRedeemed = object({
  event: literal('coupon.redeemed'),
  timestamp: eventTime,
  company_id: string(),
  customer: couponCustomer,
  coupon: object({
    coupon_code: couponCode,
    reward_id: string(/^rwd_[A-Za-z0-9]+$/, 'a reward id like rwd_…'),
    reward_name: string(),
    reward_description: described('The reward’s description, or null', nullable(string())),
    points_spent: described('Points debited for the coupon', integer(0)),
    new_balance: described("The member's points balance after the redemption", integer(0)),
    expires_at: described('When the coupon stops being valid', timestamp),
    terms: described('The reward’s terms and conditions, or null', nullable(string())),
    redemption_method: oneOf(REDEMPTION_METHODS),
  }),
  discount_details: object({
    discount_type: oneOf(DISCOUNT_TYPES),
    discount_value: described(
      'Percent off for `percentage`, BRL off for `fixed_amount`, 0 for the item-based types',
      number(),
    ),
    maximum_discount: described('The most the coupon takes off, in BRL, or null', nullable(number())),
    minimum_purchase: described('The smallest order it applies to, in BRL, or null', nullable(number())),
  }),
});

const couponUsed = object({
  event: literal('coupon.used'),
  timestamp: eventTime,
  company_id: string(),
  customer: couponCustomer,
  usage: object({
    coupon_code: couponCode,
    reward_name: string(),
    discount_type: oneOf(DISCOUNT_TYPES),
    discount_applied: brl('What the coupon took off the order'),
    order_value: brl('The order before the discount'),
    final_value: brl('The order after the discount'),
    location: described('Where it was used, or null', nullable(string())),
    staff_member: described('Who accepted it, or null', nullable(string())),
    platform: oneOf(COUPON_PLATFORMS),
    order_id: described("The order's id in the platform, or null", nullable(string())),
    items_affected: described(
      'The items the discount came from (free units for product_free and buy_one_get_one; empty for an order-wide discount)',
      array(
        object({
          name: string(),
          quantity: integer(1),
          unit_price: brl('Price of one unit'),
          discount_applied: brl('What was taken off for these units'),
        }),
      ),
    ),
  }),
});

const marketingOptIn = described(
  'Whether the customer agreed to receive marketing on each channel (false until they do)',
  object({ whatsapp: boolean(), email: boolean() }),
);

/**
 * Typed as the fields this version knows, yet any field name is accepted: a receiver on an older SDK
 * keeps working when a later version can change another field.
 */
const changedField: Schema<CustomerField | (string & {})> = described(
  `One of ${CUSTOMER_FIELDS.join(', ')} (later versions may add fields)`,
  string(/^[a-z][a-z_]*$/, 'a field name like email'),
);

const customerUpdated = object({
  event: literal('customer.updated'),
  timestamp: eventTime,
  company_id: string(),
  customer: described(
    'The customer after the change: the new values only, never the old ones',
    object({
      member_id: memberId,
      whatsapp,
      email: described('The e-mail, or null', email),
      name: string(),
      cpf: described('11 digits, check digits valid, or null', nullable(string(/^\d{11}$/, '11 digits'))),
      tier,
      marketing_opt_in: marketingOptIn,
    }),
  ),
  changed_fields: described('The fields this change set, in the order of `customer`', array(changedField)),
});

const customerDeleted = object({
  event: literal('customer.deleted'),
  timestamp: eventTime,
  company_id: string(),
  customer: described(
    'The erased customer: only the member id, which is never given to anyone else',
    object({ member_id: memberId }),
  ),
  deleted_at: described('When Zupy erased their personal data', timestamp),
});

const earnedBonus = object({
  type: described(
    '`category_bonus`: items of a category; `happy_hour`: a weekday time window; `special_promotion`: a date range; `tier_multiplier`: the member’s tier',
    oneOf(BONUS_TYPES),
  ),
  multiplier: described('The multiplier the bonus applied, e.g. 2 or 1.5', number()),
  description: string(),
  bonus_points: described(
    'The points this bonus added (points_earned = base_points + the sum of these)',
    integer(0),
  ),
});

const pointsEarned = object({
  event: literal('points.earned'),
  timestamp: eventTime,
  company_id: string(),
  customer: object({
    member_id: memberId,
    whatsapp,
    email: described('The e-mail the customer gave, or null', email),
    name: string(),
    tier: described("The customer's tier after this credit (a tier.upgraded follows when it went up)", tier),
  }),
  transaction: object({
    transaction_id: string(/^txn_[A-Za-z0-9]+$/, 'a transaction id like txn_…'),
    order_id: described("The platform's order id, or null for a manual credit", nullable(string())),
    order_value: described('The order total in BRL, or null for a manual credit', nullable(number())),
    platform: described('Where the order came from; `manual` for points/add', oneOf(EARNING_PLATFORMS)),
    points_earned: described('base_points + bonus_points', integer(1)),
    base_points: integer(0),
    bonus_points: integer(0),
    new_balance: described('The points balance after this credit', integer(0)),
    items_count: described(
      'Units in the order (the sum of item quantities), 0 when no items were given',
      integer(0),
    ),
    payment_method: described('As the platform gave it, or null', nullable(string())),
  }),
  bonuses: described('The bonuses applied, in the order they were applied', array(earnedBonus)),
  next_tier: described(
    "The tier above the customer's, in the program's qualification metric, or null at the top tier (or with tiers off)",
    nullable(
      object({
        tier_name: tier,
        points_needed: described("What is still missing, in the metric's unit", number()),
        progress_percentage: described(
          'How far from 0 to its threshold the customer is, 0 to 100, one decimal',
          number(),
        ),
        benefits_preview: described("The next tier's benefits, as the program lists them", array(string())),
      }),
    ),
  ),
});

const endpoint = described(
  'The endpoint the event is about (never the one receiving it)',
  object({
    id: string(/^ep_[A-Za-z0-9]+$/, 'an endpoint id like ep_3kT9xQbW7mZp2LrV8sYcN4dF'),
    url: string(/^https?:\/\/\S+$/, 'the URL Zupy POSTs to'),
    description: described('The description its owner gave it, or null', nullable(string())),
  }),
);

const deliveryCounts = described(
  "The endpoint's deliveries at the time of the event",
  object({
    held: described('Deliveries waiting while the endpoint is disabled (not sent, not retried)', integer(0)),
    failed_last_24h: described('Deliveries that spent their last attempt in the last 24 hours', integer(0)),
  }),
);

const attemptTime = described('When the attempt was made', timestamp);
const attemptStatus = described(
  'The HTTP status the receiver answered, or null when no answer came',
  nullable(integer(100)),
);
const attemptError = described(
  'What went wrong without an answer (timeout, refused, reset, TLS), or null',
  nullable(string()),
);
const attemptErrorCode = described(
  'The same as a stable code, to act on or translate by (`timeout`, `connect_timeout`, `connection_refused`, `connection_reset`, `host_not_found`, `tls_certificate`, `forbidden_address`, `other`; more may come), or null when `error` is',
  nullable(string()),
);

const endpointDisabled = object({
  event: literal('endpoint.disabled'),
  timestamp: eventTime,
  company_id: string(),
  endpoint,
  reason: described(
    'Why it was disabled',
    object({
      code: described(
        '`gone`: the receiver answered 410; `failure_streak`: every attempt failed for days; `manual`: a person disabled it',
        oneOf(DISABLE_REASON_CODES),
      ),
      message: described('The same, in words', string()),
    }),
  ),
  last_attempt: described(
    'The last attempt before it was disabled, or null when there was none',
    nullable(
      object({ status: attemptStatus, error: attemptError, error_code: attemptErrorCode, at: attemptTime }),
    ),
  ),
  deliveries: deliveryCounts,
  failing_since: described('When the current streak of failures began, or null', nullable(timestamp)),
  disabled_at: described('When it was disabled', timestamp),
  next_probe_at: described(
    'When Zupy will next try it with a test request, or null when it will not (gone, manual): then only a person re-enables it',
    nullable(timestamp),
  ),
});

const endpointEnabled = object({
  event: literal('endpoint.enabled'),
  timestamp: eventTime,
  company_id: string(),
  endpoint,
  enabled_by: described(
    '`probe`: a test request succeeded; `operator`: a person re-enabled it',
    oneOf(['probe', 'operator']),
  ),
  disabled_at: described('When it had been disabled, or null', nullable(timestamp)),
  deliveries: described(
    "The endpoint's deliveries at the time of the event: `held` are the deliveries now flowing again, oldest first",
    deliveryCounts,
  ),
  discarded: described('Held deliveries the operator discarded instead (`discard_held`)', integer(0)),
});

/**
 * Typed as the customer event types, yet any event type is accepted: a receiver on an older SDK
 * still hears about a failed delivery of an event type added after its version.
 */
const failedEventType: Schema<CustomerEventType | (string & {})> = string(
  /^[a-z]+(\.[a-z_]+)+$/,
  'the type of the event that was not delivered, e.g. customer.registered',
);

const deliveryFailed = object({
  event: literal('delivery.failed'),
  timestamp: eventTime,
  company_id: string(),
  endpoint,
  delivery: described(
    'The delivery that spent its last attempt (always of a customer event)',
    object({
      id: string(/^dlv_[A-Za-z0-9]+$/, 'a delivery id like dlv_…, the X-Zupy-Delivery it was sent with'),
      event_id: string(/^evt_[A-Za-z0-9]+$/, 'the event id like evt_…, the X-Zupy-Event-Id it was sent with'),
      event_type: failedEventType,
      attempts: described('How many attempts were made', integer(1)),
      created_at: described('When the delivery was created (when its event was recorded)', timestamp),
    }),
  ),
  last_attempt: described(
    'The last attempt',
    object({ status: attemptStatus, error: attemptError, error_code: attemptErrorCode, at: attemptTime }),
  ),
  deliveries: deliveryCounts,
});

export type WelcomeReward = Infer<typeof welcomeReward>;
/** Sent when a customer joins through any channel (POS, app, website, API, import). */
export type CustomerRegisteredEvent = Infer<typeof customerRegistered>;
/** Sent when a customer's tier goes up, by activity or by a manual change. */
export type TierUpgradedEvent = Infer<typeof tierUpgraded>;
/** Sent when an operator corrects a customer's data or their marketing consent changes. */
export type CustomerUpdatedEvent = Infer<typeof customerUpdated>;
/** `customer.updated`'s `customer.marketing_opt_in`. */
export type MarketingOptIn = Infer<typeof marketingOptIn>;
/** Sent when a customer's personal data was erased (LGPD): erase yours too. */
export type CustomerDeletedEvent = Infer<typeof customerDeleted>;
export type NextTierRequirements = NonNullable<TierUpgradedEvent['tier_change']['next_tier_requirements']>;
/** Sent when a member spends points on a reward and gets its coupon. */
export type CouponRedeemedEvent = Infer<typeof couponRedeemed>;
/** Sent when a coupon is validated at the counter and its discount applied. */
export type CouponUsedEvent = Infer<typeof couponUsed>;
/** Sent for every credit of points: an order, a partner's order, a manual `points/add`. */
export type PointsEarnedEvent = Infer<typeof pointsEarned>;
/** One element of `points.earned`'s `bonuses`. */
export type EarnedBonus = PointsEarnedEvent['bonuses'][number];
export type NextTierProgress = NonNullable<PointsEarnedEvent['next_tier']>;
/** An operational event's `endpoint`: the endpoint it is about. */
export type EndpointSummary = Infer<typeof endpoint>;
/** An operational event's `deliveries`: held and recently failed deliveries of that endpoint. */
export type DeliveryCounts = Infer<typeof deliveryCounts>;
/** Sent when Zupy (a 410 Gone, a failure streak) or a person disables an endpoint. */
export type EndpointDisabledEvent = Infer<typeof endpointDisabled>;
/** Sent when a disabled endpoint is enabled again, by a successful probe or by a person. */
export type EndpointEnabledEvent = Infer<typeof endpointEnabled>;
/** Sent when a delivery of a customer event spent its last attempt and is `failed`. */
export type DeliveryFailedEvent = Infer<typeof deliveryFailed>;

/** The events about customers: what an endpoint with an empty `events` list receives. */
export type CustomerEvent =
  | CustomerRegisteredEvent
  | TierUpgradedEvent
  | CouponRedeemedEvent
  | CouponUsedEvent
  | CustomerUpdatedEvent
  | CustomerDeletedEvent
  | PointsEarnedEvent;
/** The events about webhook delivery itself, sent only to endpoints that name them. */
export type OperationalEvent = EndpointDisabledEvent | EndpointEnabledEvent | DeliveryFailedEvent;
/** Every event Zupy sends: switch on `event` to narrow. */
export type ZupyEvent = CustomerEvent | OperationalEvent;

/** The schema of each event type. */
export const EVENT_SCHEMAS: { readonly [T in EventType]: Schema<Extract<ZupyEvent, { event: T }>> } = {
  'customer.registered': customerRegistered,
  'tier.upgraded': tierUpgraded,
  'coupon.redeemed': couponRedeemed,
  'coupon.used': couponUsed,
  'customer.updated': customerUpdated,
  'customer.deleted': customerDeleted,
  'points.earned': pointsEarned,
  'endpoint.disabled': endpointDisabled,
  'endpoint.enabled': endpointEnabled,
  'delivery.failed': deliveryFailed,
};

/** Checks an event against its definition and returns it with its keys in the documented order. */
export function canonicalEvent<E extends ZupyEvent>(event: E): E {
  return EVENT_SCHEMAS[event.event].parse(event) as E;
}

/**
 * Serializes an event exactly as Zupy sends it: compact JSON, keys in the documented order, UTF-8
 * characters unescaped. Sign these bytes; never re-serialize a parsed body before verifying it.
 *
 * @example
 * const body = serializeEvent(event); // '{"event":"customer.registered","timestamp":…}'
 */
export function serializeEvent(event: ZupyEvent): string {
  return JSON.stringify(canonicalEvent(event));
}

/** Formats a date as the contract's timestamps: ISO 8601 UTC, second precision, `Z`. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19) + 'Z';
}
