import type { Kysely } from 'kysely';
import { lockForUpdate } from '../db/row-locks.js';
import type { CustomerRow, Tables } from '../db/tables.js';
import { notFound } from '../errors.js';
import type { CustomerMetrics } from '../program/evaluate-tier.js';
import { apiTimestamp } from '../shared/timestamps.js';

export const CHANNELS = ['pos', 'mobile_app', 'website', 'api', 'import'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The full profile the API returns (CONTRACT §2). */
export interface CustomerProfile {
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
}

export function toCustomerProfile(row: CustomerRow): CustomerProfile {
  return {
    member_id: row.member_id,
    name: row.name,
    whatsapp: row.whatsapp,
    email: row.email,
    cpf: row.cpf,
    tier: row.tier,
    points_balance: Number(row.points_balance),
    points_earned: Number(row.points_earned),
    points_spent: Number(row.points_spent),
    total_spent: Number(row.total_spent_cents) / 100,
    transaction_count: Number(row.transaction_count),
    channel: row.channel,
    created_at: apiTimestamp(row.created_at),
    updated_at: apiTimestamp(row.updated_at),
  };
}

export function customerMetrics(row: CustomerRow): CustomerMetrics {
  return {
    points_balance: Number(row.points_balance),
    total_spent: Number(row.total_spent_cents) / 100,
    transaction_count: Number(row.transaction_count),
  };
}

/** A customer of this company; another company's member is as unknown as a missing one (404). */
export async function findCustomer(
  db: Kysely<Tables>,
  companyId: string,
  memberId: string,
  /** Inside a transaction that will update the customer: lock the row (PostgreSQL) against lost updates. */
  lock = false,
): Promise<CustomerRow> {
  const query = db
    .selectFrom('customers')
    .selectAll()
    .where('member_id', '=', memberId)
    .where('company_id', '=', companyId);
  const row = await (lock ? lockForUpdate(query, db) : query).executeTakeFirst();
  if (!row) throw notFound(`customer ${memberId}`);
  return row;
}
