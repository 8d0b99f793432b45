/** The panel's only way to the server: the public /api/v2, with the user's API key. */
import type {
  CouponPlatform,
  DisableReasonCode,
  DiscountType,
  QualificationMetric,
  RedemptionMethod,
} from '@zupy/webhooks/events';

const KEY_STORAGE = 'zupy.apiKey';

/** One field at fault: `code` is stable (the panel translates by it, api-messages.ts), `detail` English. */
export interface FieldError {
  field: string;
  code: string;
  detail: string;
  params?: Record<string, string | number>;
}

/** An RFC 9457 problem from the API, kept whole so pages can show every field's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly fieldErrors: FieldError[],
    /** The problem's stable code (ZUPY_NOT_FOUND…); null when no answer came (network). */
    readonly code: string | null = null,
  ) {
    super(detail || title);
  }

  forField(field: string): FieldError | undefined {
    return this.fieldErrors.find((e) => e.field === field);
  }
}

export function getApiKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function setApiKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_STORAGE);
  else sessionStorage.setItem(KEY_STORAGE, key);
}

export async function api<T>(method: string, path: string, body?: unknown, key = getApiKey()): Promise<T> {
  return (await apiWithStatus<T>(method, path, body, key)).body;
}

/** As {@link api}, with the status of a success (201 created, 200 the same again…). */
export async function apiWithStatus<T>(
  method: string,
  path: string,
  body?: unknown,
  key = getApiKey(),
): Promise<{ status: number; body: T }> {
  let response: Response;
  try {
    response = await fetch(`/api/v2${path}`, {
      method,
      headers: {
        ...(key ? { 'x-api-key': key } : {}),
        // The audit log tells the panel's writes from other API clients'.
        'x-zupy-client': 'panel',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    throw new ApiError(0, 'Network error', (error as Error).message, []);
  }
  if (response.status === 204) return { status: 204, body: undefined as T };
  const text = await response.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const problem = (data ?? {}) as { title?: string; detail?: string; code?: string; errors?: FieldError[] };
    throw new ApiError(
      response.status,
      problem.title ?? response.statusText,
      problem.detail ?? '',
      problem.errors ?? [],
      problem.code ?? null,
    );
  }
  return { status: response.status, body: data as T };
}

export interface Page<T> {
  data: T[];
  /** `total`: every match on all pages, where a list gives it when asked (`GET /customers/?include_total=true`). */
  meta: { cursor: string | null; has_next: boolean; count: number; total?: number };
}

/** Params of a stable code (an attempt's `error_code`, a skipped order's `reason_code`). */
export type CodeParams = Record<string, string | number>;

/** Why an attempt got no HTTP answer (`error_code`); the panel says it in its language. */
export type AttemptErrorCode =
  | 'timeout'
  | 'connect_timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'host_not_found'
  | 'tls_certificate'
  | 'forbidden_address'
  | 'other';

/** Why a partner's order was skipped (`reason_code`). */
export type SkipReasonCode =
  | 'unknown_partner'
  | 'no_order_id'
  | 'no_order_value'
  | 'no_customer_identifier'
  | 'unknown_customer_no_phone'
  | 'cannot_enroll'
  | 'order_credited_elsewhere'
  | 'other';

/** The languages Zupy writes to the owner in (`PATCH /me/ {language}`). */
export const NOTICE_LANGUAGES = ['pt-BR', 'en'] as const;
export type NoticeLanguage = (typeof NOTICE_LANGUAGES)[number];

/** `GET /me/`: the key's company and permissions, and where and how Zupy e-mails the owner. */
export interface Me {
  company_id: string;
  company_name: string;
  read_only: boolean;
  /** Where Zupy e-mails the owner when an endpoint is disabled or enabled again; null: no e-mails. */
  notification_email: string | null;
  language: NoticeLanguage;
  /** IANA time zone the earning rules' hours and dates are read in (default America/Sao_Paulo). */
  time_zone: string;
}

export interface Customer {
  member_id: string;
  name: string;
  whatsapp: string;
  email: string | null;
  cpf: string | null;
  tier: string;
  points_balance: number;
  points_earned: number;
  points_spent: number;
  total_spent: number;
  transaction_count: number;
  channel: string;
  created_at: string;
  updated_at: string;
  marketing_opt_in: { whatsapp: ConsentState; email: ConsentState };
}

export interface ConsentState {
  opted_in: boolean;
  changed_at: string | null;
  channel: string | null;
}

export interface LedgerEntry {
  id: number;
  operation: string;
  amount: number;
  balance_before: number;
  balance_after: number;
  reason: string | null;
  order_value: number | null;
  created_at: string;
}

export type EndpointOrdering = 'member' | 'none';

export interface Endpoint {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  description: string | null;
  ordering: EndpointOrdering;
  disabled_reason: string | null;
  /** Why it is disabled; null while enabled. */
  disabled_code: DisableReasonCode | null;
  disabled_at: string | null;
  /** When Zupy probes it next (failure streaks only). */
  next_probe_at: string | null;
  /** Deliveries waiting for it to be enabled again. */
  held_deliveries: number;
  /** Deliveries per second at most; null: no limit. */
  rate_limit: number | null;
  /** In flight at once now, as the worker adapted it; null before any delivery. */
  concurrency_limit: number | null;
  /** Paused by a 429/503 Retry-After until then; null when not paused. */
  paused_until: string | null;
  created_at: string;
  updated_at: string;
}

export const DELIVERY_STATUSES = ['pending', 'held', 'succeeded', 'failed', 'discarded'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  status: DeliveryStatus;
  attempts_count: number;
  next_attempt_at: string | null;
  /** The same member's earlier delivery this one waits for (per-member order). */
  waiting_for: string | null;
  kind: 'event' | 'test' | 'probe';
  test: boolean;
  created_at: string;
}

/** `GET /webhooks/deliveries/{id}/`: where it goes, the exact bytes it sends, every attempt. */
export interface DeliveryDetail extends Delivery {
  endpoint_url: string | null;
  endpoint_description: string | null;
  /** Exactly the bytes signed and sent. */
  body: string | null;
  attempts: DeliveryAttempt[];
}

export interface DeliveryAttempt {
  attempt: number;
  started_at: string;
  duration_ms: number;
  request_headers: Record<string, string>;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
  error_code: AttemptErrorCode | null;
  error_params: CodeParams | null;
}

export interface TestSend {
  success: boolean;
  status_code: number | null;
  error: string | null;
  /** `not_2xx`: the receiver answered, not with 2xx; else why no answer came. */
  error_code: 'not_2xx' | AttemptErrorCode | null;
  error_params: CodeParams | null;
  delivery_id: string;
  request: { url: string; headers: Record<string, string>; body: string };
  response: { status: number | null; body: string | null; duration_ms: number };
}

/** What a program can qualify tiers on: `custom_criteria` only describes a manual tier change. */
export type ProgramMetric = Exclude<QualificationMetric, 'custom_criteria'>;

/** The days a happy hour can run on, Monday first (the server's `shared/time-zone.ts`). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const EARNING_BONUS_TYPES = ['category_bonus', 'happy_hour', 'special_promotion'] as const;

/** Items of `category` (any case) earn × `multiplier`. */
export interface CategoryBonus {
  type: 'category_bonus';
  category: string;
  multiplier: number;
  description: string;
}

/** Orders on `weekdays` from `start` (included) to `end` (excluded), `HH:MM` in the company's zone. */
export interface HappyHourBonus {
  type: 'happy_hour';
  weekdays: Weekday[];
  start: string;
  end: string;
  multiplier: number;
  description: string;
}

/** Orders from `start_date` to `end_date`, both included, `YYYY-MM-DD` in the company's zone. */
export interface SpecialPromotionBonus {
  type: 'special_promotion';
  start_date: string;
  end_date: string;
  multiplier: number;
  description: string;
}

/** One bonus of the earning rules, as `GET /loyalty/program/` gives it. */
export type EarningBonus = CategoryBonus | HappyHourBonus | SpecialPromotionBonus;

export interface Program {
  tiers_enabled: boolean;
  qualification_metric: ProgramMetric;
  tiers: { name: string; threshold: number; points_multiplier?: number; benefits?: string[] }[];
  welcome_reward: { type: 'none' | 'points' | 'coupon'; points?: number };
  /** How orders earn points (the bonuses are edited one at a time, pages/program/bonus-list.tsx). */
  earning?: { points_per_currency: number; rounding: 'floor' | 'round'; bonuses: EarningBonus[] };
  point_expiration_days?: number;
}

export interface Overview {
  members_by_tier: Record<string, number>;
  members_total: number;
  days: { date: string; registrations: number; tier_upgrades: number }[];
  endpoints: {
    id: string;
    url: string;
    enabled: boolean;
    disabled_reason: string | null;
    failing_since: string | null;
    attempts_24h: number;
    success_rate_24h: number | null;
    latency_p50_ms: number | null;
    latency_p95_ms: number | null;
    failed_deliveries_24h: number;
    pending_deliveries: number;
    held_deliveries: number;
    next_probe_at: string | null;
    needs_attention: boolean;
  }[];
}

export interface Reward {
  id: string;
  name: string;
  description: string | null;
  points_required: number;
  discount_type: DiscountType;
  discount_value: number;
  maximum_discount: number | null;
  minimum_purchase: number | null;
  validity_days: number;
  terms: string | null;
  active: boolean;
  stock: number | null;
  created_at: string;
  updated_at: string;
}

export interface Coupon {
  code: string;
  customer_id: string;
  reward_id: string;
  reward_name: string;
  kind: 'redeemed' | 'welcome';
  status: 'active' | 'used' | 'expired' | 'cancelled';
  discount_type: DiscountType;
  discount_value: number;
  maximum_discount: number | null;
  minimum_purchase: number | null;
  points_spent: number;
  redemption_method: RedemptionMethod;
  valid_until: string;
  created_at: string;
  used_at: string | null;
  cancelled_at: string | null;
  order_value: number | null;
  discount_applied: number | null;
  final_value: number | null;
  platform: CouponPlatform | null;
  order_id: string | null;
  location: string | null;
  staff_member: string | null;
}

export interface Redemption {
  customer_id: string;
  coupon_code: string;
  points_used: number;
  new_balance: number;
  valid_until: string;
  created_at: string;
}

export interface Validation {
  customer_id: string;
  coupon_code: string;
  status: 'used';
  discount_applied: number;
  final_value: number;
  validated_at: string;
}

/** One write in the audit log (GET /audit-log/). */
export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  key_prefix: string | null;
  address: string | null;
  action: string;
  target_id: string | null;
  status: number | null;
  prev_hash: string;
  hash: string;
}

/** `GET /webhooks/integrations/inbox/`: a body a partner's order feed sent, and each order's outcome. */
export interface InboxEntry {
  id: string;
  partner: string;
  status: 'pending' | 'processed' | 'failed';
  received_at: string;
  processed_at: string | null;
  attempts: number;
  last_error: string | null;
  summary: { orders: number; credited: number; duplicate: number; skipped: number; enrolled: number } | null;
  orders:
    | {
        index: number;
        order_id: string | null;
        outcome: 'credited' | 'duplicate' | 'skipped';
        member_id: string | null;
        enrolled: boolean;
        points_earned: number | null;
        reason: string | null;
        reason_code: SkipReasonCode | null;
        reason_params: Readonly<CodeParams> | null;
      }[]
    | null;
}
