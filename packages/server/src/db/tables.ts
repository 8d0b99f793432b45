import type { Generated, Insertable, Selectable } from 'kysely';

/** Row types of every table, in snake_case as stored. Timestamps are ISO 8601 UTC strings. */
export interface Tables {
  companies: CompaniesTable;
  api_keys: ApiKeysTable;
  loyalty_programs: LoyaltyProgramsTable;
  customers: CustomersTable;
  ledger_entries: LedgerEntriesTable;
  idempotency_keys: IdempotencyKeysTable;
  events: EventsTable;
}

export interface CompaniesTable {
  id: string;
  name: string;
  created_at: string;
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
  created_at: string;
  updated_at: string;
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
}

export interface IdempotencyKeysTable {
  company_id: string;
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
}

export type CustomerRow = Selectable<CustomersTable>;
export type NewCustomerRow = Insertable<CustomersTable>;
export type LedgerEntryRow = Selectable<LedgerEntriesTable>;
export type EventRow = Selectable<EventsTable>;
