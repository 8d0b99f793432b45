import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Row types of every table, in snake_case as stored. Timestamps are ISO 8601 UTC strings. */
export interface Tables {
  companies: CompaniesTable;
  api_keys: ApiKeysTable;
  loyalty_programs: LoyaltyProgramsTable;
  customers: CustomersTable;
  ledger_entries: LedgerEntriesTable;
  idempotency_keys: IdempotencyKeysTable;
  events: EventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  worker_locks: WorkerLocksTable;
  owner_notifications: OwnerNotificationsTable;
  storage_probe: StorageProbeTable;
  rewards: RewardsTable;
  coupons: CouponsTable;
  consent_changes: ConsentChangesTable;
  audit_log: AuditLogTable;
  audit_pending: AuditPendingTable;
  orders: OrdersTable;
  partner_inbox: PartnerInboxTable;
}

export interface CompaniesTable {
  id: string;
  name: string;
  created_at: string;
  /** Where owner e-mails about the company's webhook endpoints go; null: none are sent. */
  notification_email: ColumnType<string | null, string | null | undefined, string | null>;
  /** `pt-BR` (default) or `en`: the language of those e-mails. */
  language: ColumnType<string, string | undefined, string>;
  /** An IANA time zone (default `America/Sao_Paulo`): happy hours and promotion dates are read in it. */
  time_zone: ColumnType<string, string | undefined, string>;
}

export interface ApiKeysTable {
  id: string;
  company_id: string;
  /** The first characters of the key, shown in listings and used to revoke it. */
  prefix: string;
  /** SHA-256 of the whole key, hex. The key itself is never stored. */
  key_hash: string;
  read_only: number;
  created_at: string;
  revoked_at: string | null;
}

export interface LoyaltyProgramsTable {
  company_id: string;
  /** The program as JSON (program/program.ts). */
  program: string;
  updated_at: string;
}

export interface CustomersTable {
  id: Generated<number>;
  member_id: string;
  company_id: string;
  name: string;
  whatsapp: string;
  email: string | null;
  cpf: string | null;
  tier: string;
  points_balance: number;
  points_earned: number;
  points_spent: number;
  total_spent_cents: number;
  transaction_count: number;
  channel: string;
  welcome_coupon: string | null;
  /** How many events about this member were recorded: the last `X-Zupy-Sequence` given. */
  events_recorded: Generated<number>;
  created_at: string;
  updated_at: string;
  /** 1 when the customer agreed to marketing by WhatsApp (history: `consent_changes`). */
  marketing_whatsapp: Generated<number>;
  /** When and through which channel it was last given or withdrawn; null: never. */
  marketing_whatsapp_at: Generated<string | null>;
  marketing_whatsapp_channel: Generated<string | null>;
  /** 1 when the customer agreed to marketing by e-mail. */
  marketing_email: Generated<number>;
  marketing_email_at: Generated<string | null>;
  marketing_email_channel: Generated<string | null>;
  /** When the customer's personal data was erased: the row is a tombstone (customers/erase-customer.ts). */
  erased_at: Generated<string | null>;
}

export interface LedgerEntriesTable {
  id: Generated<number>;
  company_id: string;
  member_id: string;
  operation: string;
  amount: number;
  balance_before: number;
  balance_after: number;
  reason: string | null;
  order_value_cents: number | null;
  created_at: string;
  /** `txn_…` for a credit of earned points (its `points.earned`), else null. */
  transaction_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The operations an `Idempotency-Key` is accepted on; a key is scoped to one of them and one member. */
export type IdempotentOperation = 'add' | 'spend' | 'redeem' | 'validate' | 'cancel';

export interface IdempotencyKeysTable {
  company_id: string;
  /** The member the operation is on (a cancelled coupon's member). */
  member_id: string;
  /** `add`, `spend`, `redeem`, `validate` or `cancel`. */
  operation: IdempotentOperation;
  key: string;
  fingerprint: string;
  response_status: number;
  response_body: string;
  created_at: string;
}

export interface EventsTable {
  seq: Generated<number>;
  id: string;
  company_id: string;
  type: string;
  /** The exact webhook body bytes, serialized once. */
  body: string;
  created_at: string;
  /** 1 for the synthetic events of test sends: not listed by GET /events/. */
  is_test: Generated<number>;
  /** The member the event is about (customer events), else null. */
  member_id: string | null;
  /** The event's number among the member's events (`X-Zupy-Sequence`), else null. */
  member_seq: number | null;
  /** When the body was scrubbed (an erased customer's event): never sent again. */
  erased_at: Generated<string | null>;
}

export interface WebhookEndpointsTable {
  id: string;
  company_id: string;
  url: string;
  description: string | null;
  /** JSON array of event types; empty = every customer event (operational ones only when named). */
  events: string;
  enabled: number;
  disabled_reason: string | null;
  /** AES-256-GCM under the master key (shared/secret-box.ts). */
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: string | null;
  /** When the current run of failed attempts began; null after any success. */
  failing_since: string | null;
  /** `member`: one member's deliveries go in the order of their events; `none`: no order. */
  ordering: EndpointOrdering;
  /** Why it is disabled, as a code: `gone` (410), `failure_streak`, `manual`; null when enabled. */
  disabled_code: DisabledCode | null;
  /** When it was last disabled (kept after re-enabling, for `endpoint.enabled`). */
  disabled_at: string | null;
  /** When a failure-streak endpoint is probed next (never for `gone` or `manual`). */
  next_probe_at: string | null;
  /** Probes made since it was disabled: the step of the probe schedule. */
  probe_count: Generated<number>;
  /** Deliveries per second the owner allows (null: no limit). */
  rate_limit: ColumnType<number | null, number | null | undefined, number | null>;
  /** The next free send slot under `rate_limit`, ms since the epoch (GCRA); null: none reserved. */
  rate_slot_ms: ColumnType<number | null, number | null | undefined, number | null>;
  /** A 429/503 `Retry-After` holds every delivery of the endpoint until then. */
  paused_until: ColumnType<string | null, string | null | undefined, string | null>;
  /** After a pause, the turn of the worker whose single request goes first, until then (a lease). */
  resuming_until: ColumnType<string | null, string | null | undefined, string | null>;
  /** The in-flight limit a worker's adaptive limiter last reported; null before any delivery. */
  concurrency_limit: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export type EndpointOrdering = 'member' | 'none';
export type DisabledCode = 'gone' | 'failure_streak' | 'manual';

/**
 * `pending`: waiting to be sent (at `next_attempt_at`) — shown as `held` while its endpoint is
 * disabled; `discarded`: held, and dropped by the operator on re-enabling (`discard_held`).
 */
export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'discarded';
/** What a delivery carries: a recorded event, a test send, or a probe of a disabled endpoint. */
export type DeliveryKind = 'event' | 'test' | 'probe';

/**
 * The `next_attempt_at` of a delivery waiting for the member's earlier delivery to the same endpoint:
 * later than any due time, so no claim reaches it, yet counted in the queue. Its predecessor's end
 * sets a real time.
 */
export const WAITING_FOR_PREDECESSOR = '9999-12-31T23:59:59.999Z';

export interface DeliveriesTable {
  seq: Generated<number>;
  id: string;
  company_id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  status: DeliveryStatus;
  attempts_count: number;
  /** Attempts made before the last redelivery: the retry schedule restarts from there. */
  schedule_offset: number;
  next_attempt_at: string | null;
  /** Set while a worker holds the delivery; an expired lease means the worker died. */
  lease_expires_at: string | null;
  is_test: number;
  /** The member whose events this endpoint gets in order; null when not ordered. */
  member_id: string | null;
  /** The `seq` of the member's earlier delivery this one waits for (until that one ends). */
  waits_for: number | null;
  /** 1 when a later delivery of the member waits for this one. */
  has_successor: Generated<number>;
  kind: Generated<DeliveryKind>;
  created_at: string;
  updated_at: string;
}

export interface DeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  attempt: number;
  started_at: string;
  duration_ms: number;
  /** JSON object of the headers sent. */
  request_headers: string;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
  /** The error's stable code (delivery/attempt-error.ts); null when answered, or recorded before 0016. */
  error_code: string | null;
  /** JSON object of the code's params, or null. */
  error_params: string | null;
}

export type CustomerRow = Selectable<CustomersTable>;
export type NewCustomerRow = Insertable<CustomersTable>;
export type LedgerEntryRow = Selectable<LedgerEntriesTable>;
export type EventRow = Selectable<EventsTable>;
/** SQLite: the process that sends webhooks (see delivery/store/sqlite-delivery-store.ts). */
export interface WorkerLocksTable {
  name: string;
  /** `host pid nonce` of the holding process. */
  holder: string;
  expires_at: string;
}

/** One row, rewritten to find out whether writes succeed again (storage-probe.ts). */
export interface StorageProbeTable {
  id: number;
  probed_at: string;
}

export type EndpointRow = Selectable<WebhookEndpointsTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type DeliveryAttemptRow = Selectable<DeliveryAttemptsTable>;

/** A notice to a company's owner (notifications/owner-notices.ts), sent by e-mail by the worker. */
export interface OwnerNotificationsTable {
  id: string;
  company_id: string;
  /** `endpoint.disabled` or `endpoint.enabled`. */
  kind: string;
  /** The notice as JSON. */
  payload: string;
  created_at: string;
  /** Claims so far (each claim is one try to send). */
  attempts: number;
  /** When to try (again); null once sent or given up. */
  next_attempt_at: string | null;
  /** Set while a worker sends it; an expired lease means that worker died. */
  lease_expires_at: string | null;
  sent_at: string | null;
  /** Why the last try failed, or why the notice was given up. */
  last_error: string | null;
}

export type OwnerNotificationRow = Selectable<OwnerNotificationsTable>;

/** A reward of the company's catalog (rewards/): what a member can spend points on. */
export interface RewardsTable {
  seq: Generated<number>;
  id: string;
  company_id: string;
  name: string;
  description: string | null;
  points_required: number;
  discount_type: string;
  /** Hundredths of a percent (`percentage`) or centavos (`fixed_amount`); 0 for the item-based types. */
  discount_value_hundredths: number;
  maximum_discount_cents: number | null;
  minimum_purchase_cents: number | null;
  validity_days: number;
  terms: string | null;
  active: number;
  /** Coupons left to issue; null: unlimited. */
  stock: number | null;
  created_at: string;
  updated_at: string;
}

/** A coupon issued to a member (coupons/), with its reward's discount rules as they were then. */
export interface CouponsTable {
  seq: Generated<number>;
  code: string;
  company_id: string;
  member_id: string;
  reward_id: string;
  reward_name: string;
  discount_type: string;
  discount_value_hundredths: number;
  maximum_discount_cents: number | null;
  minimum_purchase_cents: number | null;
  /** `redeemed` (points spent, one of the reward's stock) or `welcome` (the program's welcome reward). */
  kind: string;
  points_spent: number;
  redemption_method: string;
  /** `active`, `used` or `cancelled`; an active coupon past `valid_until` reads as `expired`. */
  status: string;
  valid_until: string;
  created_at: string;
  used_at: string | null;
  cancelled_at: string | null;
  order_value_cents: number | null;
  discount_applied_cents: number | null;
  platform: string | null;
  order_id: string | null;
  location: string | null;
  staff_member: string | null;
}

export type RewardRow = Selectable<RewardsTable>;
export type CouponRow = Selectable<CouponsTable>;
/** One change of a customer's marketing consent (migration 0012), never updated. */
export interface ConsentChangesTable {
  id: Generated<number>;
  company_id: string;
  member_id: string;
  /** `whatsapp` or `email`: the medium the consent is about. */
  medium: string;
  /** 1: given; 0: withdrawn. */
  opted_in: number;
  /** Through which channel it was given or withdrawn (`pos`, `api`, `panel`, …). */
  channel: string;
  created_at: string;
}

/** One write through the API, the panel or the CLI (audit/), with no personal data. Append-only. */
export interface AuditLogTable {
  seq: Generated<number>;
  company_id: string;
  at: string;
  /** `api` (an API key), `panel` (the admin panel, with its key) or `cli`. */
  actor: string;
  /** The API key's prefix; null for the CLI. */
  key_prefix: string | null;
  /** The client's address; null for the CLI. */
  address: string | null;
  /** What was done: `PATCH /customers/:member_id/`, `cli import` … */
  action: string;
  /** The id of what it was done to (a member id, an endpoint id …), when there is one. */
  target_id: string | null;
  /** The HTTP status answered; null for the CLI, or when the process stopped before answering. */
  status: number | null;
  /** The previous entry's `hash` of the company ('' for the first). */
  prev_hash: string;
  /** sha256 of `prev_hash` and this entry's fields (audit/audit-hash.ts). */
  hash: string;
}

/**
 * An audit entry committed with its change and not chained yet (audit/audit-scope.ts): moved into
 * `audit_log` right after the commit, or after a crash by the next process's sweep.
 */
export interface AuditPendingTable {
  id: string;
  company_id: string;
  at: string;
  actor: string;
  key_prefix: string | null;
  address: string | null;
  action: string;
  target_id: string | null;
}

export type ConsentChangeRow = Selectable<ConsentChangesTable>;
export type AuditLogRow = Selectable<AuditLogTable>;

/** An order credited (orders/record-order.ts); unique on (company_id, platform, order_id). */
export interface OrdersTable {
  /** The credit's transaction id (`txn_…`), the ledger entry's `transaction_id`. */
  id: string;
  company_id: string;
  member_id: string;
  platform: string;
  order_id: string;
  order_value_cents: number;
  payment_method: string | null;
  /** JSON array of the items as given (`[{name, category, quantity, unit_price_cents}]`). */
  items: string;
  ordered_at: string;
  points_earned: number;
  /** The first answer, JSON: what the same order again answers. */
  result: string;
  created_at: string;
}

/** A body a partner POSTed to `/webhooks/integrations/{partner}/`, stored before it was answered. */
export interface PartnerInboxTable {
  seq: Generated<number>;
  id: string;
  company_id: string;
  partner: string;
  /** The raw body, as received (UTF-8). */
  body: string;
  body_sha256: string;
  received_at: string;
  attempts: Generated<number>;
  lease_expires_at: string | null;
  /** Null while pending. */
  processed_at: string | null;
  /** JSON array: what happened to each order of the body, once processed. */
  outcomes: string | null;
  last_error: string | null;
}
