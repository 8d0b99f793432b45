import type { Kysely } from 'kysely';
import { lockForUpdate } from '../db/row-locks.js';
import type { Tables } from '../db/tables.js';
import { runInTransaction } from '../db/transaction.js';
import { auditHash, type AuditFields } from './audit-hash.js';

/** What an audit entry's target may be: an id (member, endpoint, delivery, reward …), never free text. */
const ID_LIKE = /^[A-Za-z0-9_-]{1,64}$/;

export type AuditEntry = Omit<AuditFields, 'target_id'> & { target_id: string | null | undefined };

/**
 * Appends one entry to the company's audit log, chained to the one before: in its own transaction,
 * the company's row locked (PostgreSQL) so that concurrent appends take turns and the chain has no
 * fork. A target that is not id-like is left out: the log holds no personal data.
 */
export async function appendAudit(db: Kysely<Tables>, entry: AuditEntry): Promise<void> {
  const target = entry.target_id != null && ID_LIKE.test(entry.target_id) ? entry.target_id : null;
  await runInTransaction(db, async (trx) => {
    await lockForUpdate(
      trx.selectFrom('companies').select('id').where('id', '=', entry.company_id),
      trx,
    ).execute();
    const last = await trx
      .selectFrom('audit_log')
      .select('hash')
      .where('company_id', '=', entry.company_id)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const prev = last?.hash ?? '';
    const fields = { ...entry, target_id: target };
    await trx
      .insertInto('audit_log')
      .values({ ...fields, prev_hash: prev, hash: auditHash(prev, fields) })
      .execute();
  });
}

/** Removes entries older than `cutoff` (the retention setting, ZUPY_AUDIT_RETENTION). */
export async function pruneAuditLog(db: Kysely<Tables>, cutoff: Date): Promise<number> {
  const result = await db.deleteFrom('audit_log').where('at', '<', cutoff.toISOString()).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Whose log a CLI write goes to: the company, or the company of an endpoint or an API key. */
export type CliSubject = { company: string } | { endpoint: string } | { keyPrefix: string };

/**
 * Records a write made through the CLI (`actor: cli`, no key, no address): `zupy company create`,
 * `apikey create|revoke`, `import`, `replay`. Nothing is recorded when the subject is unknown.
 */
export async function recordCliWrite(
  db: Kysely<Tables>,
  subject: CliSubject,
  action: string,
  targetId: string | null,
  now = new Date(),
): Promise<void> {
  let companyId: string | undefined;
  if ('company' in subject) companyId = subject.company;
  else if ('endpoint' in subject)
    companyId = (
      await db
        .selectFrom('webhook_endpoints')
        .select('company_id')
        .where('id', '=', subject.endpoint)
        .executeTakeFirst()
    )?.company_id;
  else
    companyId = (
      await db
        .selectFrom('api_keys')
        .select('company_id')
        .where('prefix', '=', subject.keyPrefix)
        .executeTakeFirst()
    )?.company_id;
  if (companyId === undefined) return;
  await appendAudit(db, {
    company_id: companyId,
    at: now.toISOString(),
    actor: 'cli',
    key_prefix: null,
    address: null,
    action: `cli ${action}`,
    target_id: targetId,
    status: null,
  });
}
