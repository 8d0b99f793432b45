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

const ConsentState = Type.Object({
  opted_in: Type.Boolean(),
  changed_at: Type.Union([IsoTimestamp, Type.Null()], { description: 'When it was last given or withdrawn' }),
  channel: Type.Union([Type.String(), Type.Null()], {
    description: 'Through which channel (`pos`, `panel` …)',
  }),
});

/** Marketing consent per medium, now (the history is in the export): issue 22. */
export const MarketingOptInSchema = Type.Object(
  { whatsapp: ConsentState, email: ConsentState },
  {
    description:
      'Whether the customer agreed to marketing by WhatsApp and by e-mail, since when, through which channel',
  },
);

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
    marketing_opt_in: MarketingOptInSchema,
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
    marketing_opt_in: {
      whatsapp: consentState(
        row.marketing_whatsapp,
        row.marketing_whatsapp_at,
        row.marketing_whatsapp_channel,
      ),
      email: consentState(row.marketing_email, row.marketing_email_at, row.marketing_email_channel),
    },
  };
}

function consentState(optedIn: number, at: string | null, channel: string | null) {
  return { opted_in: Number(optedIn) === 1, changed_at: at === null ? null : apiTimestamp(at), channel };
}

export function customerMetrics(row: CustomerRow): CustomerMetrics {
  return {
    points_balance: Number(row.points_balance),
    total_spent: fromCents(row.total_spent_cents),
    transaction_count: Number(row.transaction_count),
  };
}

/**
 * A customer of this company; another company's member is as unknown as a missing one (404), and so
 * is an erased one (its tombstone holds no profile).
 */
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
    .where('company_id', '=', companyId)
    .where('erased_at', 'is', null);
  const row = await (lock ? lockForUpdate(query, db) : query).executeTakeFirst();
  if (!row) throw notFound(`customer ${memberId}`);
  return row;
}
