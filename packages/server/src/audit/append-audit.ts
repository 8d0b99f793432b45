import type { Kysely } from 'kysely';
import { lockForUpdate } from '../db/row-locks.js';
import type { Tables } from '../db/tables.js';
import { runInTransactionApart } from '../db/transaction.js';
import { runOutsideTransactionScope } from '../db/transaction-scope.js';
import { auditHash, type AuditFields } from './audit-hash.js';

/** What an audit entry's target may be: an id (member, endpoint, delivery, reward …), never free text. */
const ID_LIKE = /^[A-Za-z0-9_-]{1,64}$/;

export type AuditEntry = Omit<AuditFields, 'target_id'> & { target_id: string | null | undefined };

/** At most this many entries are appended in one transaction. */
const MAX_BATCH = 64;

interface Pending {
  fields: AuditFields;
  /** The entry's row in `audit_pending`, committed with its change: chained only if still there. */
  pendingId: string | undefined;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * One process's appends to the audit log of a database, a batch at a time: the entries that arrive
 * while a batch commits go in the next one, in one transaction that locks each company's row once,
 * takes the batch's pending rows (audit-scope.ts) out of `audit_pending`, reads its chain's end once
 * and inserts its entries in one statement. The lock serialises every append to a company's chain,
 * across processes too; held per entry until its commit, it capped a company's writes on PostgreSQL
 * at one per WAL flush.
 */
class AuditAppender {
  private readonly queue: Pending[] = [];
  private running = false;
  /** Pending rows this process committed and has not chained yet: no sweep of its own takes them. */
  readonly inHand = new Set<string>();

  constructor(private readonly db: Kysely<Tables>) {}

  append(fields: AuditFields, pendingId?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ fields, pendingId, resolve, reject });
      if (!this.running) {
        this.running = true;
        // The appender works for no request: its transactions are not the request's change.
        runOutsideTransactionScope(() => setImmediate(() => void this.drain()));
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        // The company's lock is held for this transaction alone (transaction.ts).
        await runInTransactionApart(this.db, (trx) => appendBatch(trx, batch));
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      } finally {
        for (const p of batch) if (p.pendingId !== undefined) this.inHand.delete(p.pendingId);
      }
    }
    this.running = false;
  }
}

/**
 * Appends `entries` (in order) to their companies' chains inside `trx`. An entry with a pending row
 * is appended only if this transaction took that row out of `audit_pending`: another process's
 * sweep may have chained it already (with the company locked, exactly one of them takes it).
 */
async function appendBatch(
  trx: Kysely<Tables>,
  entries: readonly Pick<Pending, 'fields' | 'pendingId'>[],
): Promise<void> {
  const byCompany = new Map<string, Pick<Pending, 'fields' | 'pendingId'>[]>();
  for (const entry of entries) {
    const list = byCompany.get(entry.fields.company_id);
    if (list) list.push(entry);
    else byCompany.set(entry.fields.company_id, [entry]);
  }
  for (const [companyId, list] of byCompany) {
    await lockForUpdate(trx.selectFrom('companies').select('id').where('id', '=', companyId), trx).execute();
    const pendingIds = list.flatMap((e) => (e.pendingId === undefined ? [] : [e.pendingId]));
    const taken = new Set<string>();
    if (pendingIds.length > 0) {
      const deleted = await trx
        .deleteFrom('audit_pending')
        .where('id', 'in', pendingIds)
        .returning('id')
        .execute();
      for (const row of deleted) taken.add(row.id);
    }
    const chained = list.filter((e) => e.pendingId === undefined || taken.has(e.pendingId));
    if (chained.length === 0) continue;
    const last = await trx
      .selectFrom('audit_log')
      .select('hash')
      .where('company_id', '=', companyId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    let prev = last?.hash ?? '';
    const rows = chained.map(({ fields }) => {
      const hash = auditHash(prev, fields);
      const row = { ...fields, prev_hash: prev, hash };
      prev = hash;
      return row;
    });
    await trx.insertInto('audit_log').values(rows).execute();
  }
}

const appenders = new WeakMap<Kysely<Tables>, AuditAppender>();

function appenderOf(db: Kysely<Tables>): AuditAppender {
  let appender = appenders.get(db);
  if (appender === undefined) appenders.set(db, (appender = new AuditAppender(db)));
  return appender;
}

/** What the log may hold as a target: an id, never free text (no personal data). */
export function auditTarget(id: string | null | undefined): string | null {
  return id != null && ID_LIKE.test(id) ? id : null;
}

/**
 * Appends one entry to the company's audit log, chained to the one before, and resolves once it is
 * committed: with the other entries of this process that arrive meanwhile, in one transaction of
 * their own, the company's row locked (PostgreSQL) so that concurrent appends from other processes
 * take turns and the chain has no fork. A target that is not id-like is left out: the log holds no
 * personal data. With `pendingId`, the entry was committed with its change (audit-scope.ts) and
 * this moves it from `audit_pending` into the chain, with what only the answer told (its status).
 */
export async function appendAudit(db: Kysely<Tables>, entry: AuditEntry, pendingId?: string): Promise<void> {
  await appenderOf(db).append({ ...entry, target_id: auditTarget(entry.target_id) }, pendingId);
}

/** Marks a pending row as this process's to chain (its change just committed). */
export function holdPending(db: Kysely<Tables>, pendingId: string): void {
  appenderOf(db).inHand.add(pendingId);
}

/** How long after its commit an entry still pending is taken to be left by a process that stopped. */
export const LEFT_PENDING_MS = 2_000;

/**
 * Chains the entries committed with their changes that no process chained: their process stopped
 * (a crash, `kill -9`, a power loss) between the commit and the append, or the append failed. Run
 * when a process starts and with the retention's prune. Their status is null: no answer was sent,
 * or none is known. Returns how many were chained.
 */
export async function chainLeftPending(db: Kysely<Tables>, now: Date): Promise<number> {
  const appender = appenderOf(db);
  const rows = await db
    .selectFrom('audit_pending')
    .selectAll()
    .where('at', '<', new Date(now.getTime() - LEFT_PENDING_MS).toISOString())
    .orderBy('at')
    .orderBy('id')
    .limit(1000)
    .execute();
  // This process's own are chained by their request, unless it never got to (a minute is plenty).
  const abandoned = new Date(now.getTime() - 60_000).toISOString();
  const left = rows.filter((r) => !appender.inHand.has(r.id) || r.at < abandoned);
  await Promise.all(left.map(({ id, ...fields }) => appender.append({ ...fields, status: null }, id)));
  return left.length;
}

/** Removes entries older than `cutoff` (the retention setting, ZUPY_AUDIT_RETENTION). */
export async function pruneAuditLog(db: Kysely<Tables>, cutoff: Date): Promise<number> {
  const result = await db.deleteFrom('audit_log').where('at', '<', cutoff.toISOString()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
