import { fromCents } from '../shared/money.js';
import { Type, type Static } from 'typebox';
import { IsoTimestamp } from '../http/schemas.js';
import type { Kysely } from 'kysely';
import { lockForUpdate } from '../db/row-locks.js';
import type { CustomerRow, Tables } from '../db/tables.js';
import { notFound } from '../errors.js';
import type { CustomerMetrics } from '../program/evaluate-tier.js';
import { apiTimestamp } from '../shared/timestamps.js';

export const CHANNELS = ['pos', 'mobile_app', 'website', 'api', 'import'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The full profile the API returns (CONTRACT §2): its schema, and the type derived from it. */
export const CustomerProfileSchema = Type.Object(
  {
    member_id: Type.String({ examples: ['ZP-8B23CD41'] }),
    name: Type.String(),
    whatsapp: Type.String({ description: 'E.164', examples: ['+5511965958122'] }),
    email: Type.Union([Type.String(), Type.Null()]),
    cpf: Type.Union([Type.String(), Type.Null()], { description: '11 digits' }),
    tier: Type.String(),
    points_balance: Type.Integer(),
    points_earned: Type.Integer(),
    points_spent: Type.Integer(),
    total_spent: Type.Number({ description: 'BRL' }),
    transaction_count: Type.Integer(),
    channel: Type.String(),
    created_at: IsoTimestamp,
    updated_at: IsoTimestamp,
  },
  { $id: 'Customer' },
);
export type CustomerProfile = Static<typeof CustomerProfileSchema>;

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
    total_spent: fromCents(row.total_spent_cents),
    transaction_count: Number(row.transaction_count),
    channel: row.channel,
    created_at: apiTimestamp(row.created_at),
    updated_at: apiTimestamp(row.updated_at),
  };
}

export function customerMetrics(row: CustomerRow): CustomerMetrics {
  return {
    points_balance: Number(row.points_balance),
    total_spent: fromCents(row.total_spent_cents),
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
