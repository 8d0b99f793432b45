import type { Kysely } from 'kysely';
import type { ConsentChangeRow, CustomerRow, Tables } from '../db/tables.js';

export const MEDIA = ['whatsapp', 'email'] as const;
export type Medium = (typeof MEDIA)[number];

/** `marketing_opt_in` as given on registration or PATCH: each medium optional. */
export interface ConsentInput {
  whatsapp?: boolean | undefined;
  email?: boolean | undefined;
}

const COLUMNS = {
  whatsapp: {
    flag: 'marketing_whatsapp',
    at: 'marketing_whatsapp_at',
    channel: 'marketing_whatsapp_channel',
  },
  email: { flag: 'marketing_email', at: 'marketing_email_at', channel: 'marketing_email_channel' },
} as const;

/**
 * Records the consent changes in `input` inside the caller's transaction: the customer's current
 * state and one `consent_changes` row per medium. `recordSame` also records a value equal to the
 * current one (a registration records what the customer answered, even "no"); otherwise only changes.
 * Returns the customer row as it is now, and whether anything changed.
 */
export async function applyConsent(
  trx: Kysely<Tables>,
  row: CustomerRow,
  input: ConsentInput | undefined,
  channel: string,
  now: Date,
  options: { recordSame: boolean } = { recordSame: false },
): Promise<{ row: CustomerRow; changed: boolean }> {
  if (input === undefined) return { row, changed: false };
  const stamp = now.toISOString();
  let current = row;
  let changed = false;
  for (const medium of MEDIA) {
    const wanted = input[medium];
    if (wanted === undefined) continue;
    const columns = COLUMNS[medium];
    const same = (Number(current[columns.flag]) === 1) === wanted;
    if (same && !options.recordSame) continue;
    if (!same) changed = true;
    const set = { [columns.flag]: wanted ? 1 : 0, [columns.at]: stamp, [columns.channel]: channel };
    await trx.updateTable('customers').set(set).where('id', '=', row.id).execute();
    await trx
      .insertInto('consent_changes')
      .values({
        company_id: row.company_id,
        member_id: row.member_id,
        medium,
        opted_in: wanted ? 1 : 0,
        channel,
        created_at: stamp,
      })
      .execute();
    current = { ...current, ...set };
  }
  return { row: current, changed };
}

/** The customer's consent history, oldest first (the export). */
export function consentHistory(
  db: Kysely<Tables>,
  companyId: string,
  memberId: string,
): Promise<Pick<ConsentChangeRow, 'medium' | 'opted_in' | 'channel' | 'created_at'>[]> {
  return db
    .selectFrom('consent_changes')
    .select(['medium', 'opted_in', 'channel', 'created_at'])
    .where('company_id', '=', companyId)
    .where('member_id', '=', memberId)
    .orderBy('id', 'asc')
    .execute();
}
