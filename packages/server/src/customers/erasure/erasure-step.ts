import type { Kysely } from 'kysely';
import type { Tables } from '../../db/tables.js';

/** Whose personal data a step erases, inside the erasure's one transaction. */
export interface ErasureSubject {
  companyId: string;
  memberId: string;
  now: Date;
  /** The identifiers the person has now, before the tombstone removes them (stored forms). */
  person: { whatsapp: string | null; email: string | null; cpf: string | null };
}

/**
 * One table's part of an erasure (customers/erase-customer.ts runs them in order, in one
 * transaction): removes or irreversibly scrubs what that table holds about the person, keeping what
 * accounting needs. A feature that stores personal data about a member adds its step to
 * `ERASURE_STEPS` (and a section to the export); docs/privacy.md lists them.
 */
export interface ErasureStep {
  /** The table it scrubs, for docs and tests. */
  table: string;
  run(trx: Kysely<Tables>, subject: ErasureSubject): Promise<void>;
}

/** The ids of the events about the member (through `events_member`). */
export const memberEventIds = (trx: Kysely<Tables>, subject: ErasureSubject) =>
  trx
    .selectFrom('events')
    .select('id')
    .where('company_id', '=', subject.companyId)
    .where('member_id', '=', subject.memberId);
