import { Type, type Static } from 'typebox';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { ZupyError, notFound, rejectedField, type FieldError } from '../errors.js';
import { normalizeEmail } from '../customers/email.js';
import { DEFAULT_LANGUAGE, LANGUAGES, isLanguage, type Language } from '../shared/languages.js';
import { DEFAULT_TIME_ZONE, canonicalTimeZone } from '../shared/time-zone.js';
import { runInTransaction } from '../db/transaction.js';

/** `GET /me/`: the caller's company, its key's permissions, and where and how Zupy writes to its owner. */
export const CompanySettingsSchema = Type.Object({
  company_id: Type.String(),
  company_name: Type.String(),
  read_only: Type.Boolean(),
  notification_email: Type.Union([Type.String(), Type.Null()], {
    description:
      'Where Zupy e-mails the owner when a webhook endpoint is disabled or enabled again (when the operator configured SMTP); null: no e-mails',
    examples: ['owner@bellavista.com.br'],
  }),
  language: Type.Enum([...LANGUAGES], {
    description: 'The language of those e-mails',
    default: DEFAULT_LANGUAGE,
  }),
  time_zone: Type.String({
    description:
      'The IANA time zone the company keeps its hours in: happy hours and promotion dates of the earning rules are read in it',
    default: DEFAULT_TIME_ZONE,
    examples: ['America/Sao_Paulo', 'America/Manaus'],
  }),
});
export type CompanySettings = Static<typeof CompanySettingsSchema>;

export interface CompanySettingsPatch {
  /** An address, or null (or "") to send no e-mails. */
  notification_email?: string | null | undefined;
  language?: string | undefined;
  /** An IANA name; stored in the tz database's spelling. */
  time_zone?: string | undefined;
}

/** The company's settings as `/me/` shows them. */
export async function readCompanySettings(
  db: Kysely<Tables>,
  companyId: string,
  readOnly: boolean,
): Promise<CompanySettings> {
  const company = await db
    .selectFrom('companies')
    .select(['id', 'name', 'notification_email', 'language', 'time_zone'])
    .where('id', '=', companyId)
    .executeTakeFirst();
  if (!company) throw notFound('company');
  return {
    company_id: company.id,
    company_name: company.name,
    read_only: readOnly,
    notification_email: company.notification_email,
    language: isLanguage(company.language) ? company.language : DEFAULT_LANGUAGE,
    time_zone: company.time_zone,
  };
}

/**
 * Changes what the patch names. The address is checked and normalized as customers' e-mails are
 * (trimmed, lowercased, practical syntax); every bad field is named in one 422.
 */
export async function updateCompanySettings(
  db: Kysely<Tables>,
  companyId: string,
  patch: CompanySettingsPatch,
): Promise<void> {
  const errors: FieldError[] = [];
  const changes: { notification_email?: string | null; language?: Language; time_zone?: string } = {};
  if (patch.notification_email !== undefined) {
    const text = patch.notification_email?.trim() ?? '';
    if (text === '') changes.notification_email = null;
    else {
      const result = normalizeEmail(text);
      if (result.ok) changes.notification_email = result.email;
      else errors.push(rejectedField('notification_email', result));
    }
  }
  if (patch.language !== undefined) {
    if (isLanguage(patch.language)) changes.language = patch.language;
    else
      errors.push({
        field: 'language',
        code: 'one_of',
        params: { values: LANGUAGES.map((l) => `"${l}"`).join(', ') },
        detail: `must be one of ${LANGUAGES.map((l) => `"${l}"`).join(', ')}`,
      });
  }
  if (patch.time_zone !== undefined) {
    const zone = canonicalTimeZone(patch.time_zone.trim());
    if (zone !== null) changes.time_zone = zone;
    else
      errors.push({
        field: 'time_zone',
        code: 'time_zone_invalid',
        detail: 'must be an IANA time zone name, like America/Sao_Paulo or America/Manaus',
      });
  }
  if (errors.length > 0) {
    throw new ZupyError('ZUPY_VALIDATION_FAILED', errors.map((e) => `${e.field} ${e.detail}`).join('; '), {
      fieldErrors: errors,
    });
  }
  if (Object.keys(changes).length === 0) return;
  // In a transaction of its own: the request's audit entry is written in it (audit/audit-scope.ts).
  await runInTransaction(db, (trx) =>
    trx.updateTable('companies').set(changes).where('id', '=', companyId).execute(),
  );
}

/** The company's time zone (earning rules read hours and dates in it). */
export async function companyTimeZone(db: Kysely<Tables>, companyId: string): Promise<string> {
  const row = await db
    .selectFrom('companies')
    .select('time_zone')
    .where('id', '=', companyId)
    .executeTakeFirst();
  return row?.time_zone ?? DEFAULT_TIME_ZONE;
}
