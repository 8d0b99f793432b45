import type { Kysely } from 'kysely';
import { lockForUpdate } from '../db/row-locks.js';
import type { Tables } from '../db/tables.js';
import { runInTransactionApart } from '../db/transaction.js';
import { auditHash, type AuditFields } from './audit-hash.js';

/** What an audit entry's target may be: an id (member, endpoint, delivery, reward …), never free text. */
const ID_LIKE = /^[A-Za-z0-9_-]{1,64}$/;

export type AuditEntry = Omit<AuditFields, 'target_id'> & { target_id: string | null | undefined };

/** At most this many entries are appended in one transaction. */
const MAX_BATCH = 64;

interface Pending {
  fields: AuditFields;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * One process's appends to the audit log of a database, a batch at a time: the entries that arrive
 * while a batch commits go in the next one, in one transaction that locks each company's row once,
 * reads its chain's end once and inserts its entries in one statement. The lock serialises every
 * append to a company's chain, across processes too; held per entry until its commit, it capped a
 * company's writes on PostgreSQL at one per WAL flush.
 */
class AuditAppender {
  private readonly queue: Pending[] = [];
  private running = false;

  constructor(private readonly db: Kysely<Tables>) {}

  append(fields: AuditFields): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ fields, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        // The company's lock is held for this transaction alone (transaction.ts).
        const fields = batch.map((p) => p.fields);
        await runInTransactionApart(this.db, (trx) => appendBatch(trx, fields));
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.running = false;
  }
}

/** Appends `entries` (in order) to their companies' chains inside `trx`. */
async function appendBatch(trx: Kysely<Tables>, entries: AuditFields[]): Promise<void> {
  const byCompany = new Map<string, AuditFields[]>();
  for (const entry of entries) {
    const list = byCompany.get(entry.company_id);
    if (list) list.push(entry);
    else byCompany.set(entry.company_id, [entry]);
  }
  for (const [companyId, list] of byCompany) {
    await lockForUpdate(trx.selectFrom('companies').select('id').where('id', '=', companyId), trx).execute();
    const last = await trx
      .selectFrom('audit_log')
      .select('hash')
      .where('company_id', '=', companyId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    let prev = last?.hash ?? '';
    const rows = list.map((fields) => {
      const hash = auditHash(prev, fields);
      const row = { ...fields, prev_hash: prev, hash };
      prev = hash;
      return row;
    });
    await trx.insertInto('audit_log').values(rows).execute();
  }
}

const appenders = new WeakMap<Kysely<Tables>, AuditAppender>();

/**
 * Appends one entry to the company's audit log, chained to the one before, and resolves once it is
 * committed: with the other entries of this process that arrive meanwhile, in one transaction of
 * their own, the company's row locked (PostgreSQL) so that concurrent appends from other processes
 * take turns and the chain has no fork. A target that is not id-like is left out: the log holds no
 * personal data.
 */
export async function appendAudit(db: Kysely<Tables>, entry: AuditEntry): Promise<void> {
  const target = entry.target_id != null && ID_LIKE.test(entry.target_id) ? entry.target_id : null;
  let appender = appenders.get(db);
  if (appender === undefined) appenders.set(db, (appender = new AuditAppender(db)));
  await appender.append({ ...entry, target_id: target });
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
