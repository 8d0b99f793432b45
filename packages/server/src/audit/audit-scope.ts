import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import type { TransactionScope } from '../db/transaction-scope.js';
import { newId } from '../shared/random-chars.js';
import { appendAudit, auditTarget, holdPending } from './append-audit.js';
import type { AuditFields } from './audit-hash.js';

/** An entry as its change's transaction writes it: everything but the answer's status. */
export type StagedFields = Omit<AuditFields, 'status'>;

/**
 * Says what entry a committed transaction of the scope records, read inside that transaction with
 * the value its work returned (a created member's id, a revoked key's prefix …); null: none.
 */
export type DescribeEntry = (trx: Kysely<Tables>, value: unknown) => Promise<StagedFields | null>;

/**
 * The audit entry of one request or one CLI command, written in the transaction of its change: the
 * first transaction of the scope that commits (db/transaction-scope.ts) inserts it into
 * `audit_pending`, so the entry is committed exactly when the change is. `finish` then chains it
 * into `audit_log` with the answer's status; if the process stops before that, the next process's
 * sweep chains it (`chainLeftPending`). A transaction that fails takes its entry with it.
 */
export class AuditScope implements TransactionScope {
  private attempt: { id: string; fields: StagedFields } | undefined;
  /** The entry committed with the change, if a transaction of the scope committed. */
  private staged: { id: string; fields: StagedFields } | undefined;

  constructor(
    private readonly db: Kysely<Tables>,
    private readonly describe: DescribeEntry,
  ) {}

  async beforeCommit(trx: Kysely<Tables>, value: unknown): Promise<void> {
    this.attempt = undefined;
    if (this.staged !== undefined) return;
    const described = await this.describe(trx, value);
    if (described === null) return;
    const fields = { ...described, target_id: auditTarget(described.target_id) };
    const id = newId('aud');
    await trx
      .insertInto('audit_pending')
      .values({ id, ...fields })
      .execute();
    this.attempt = { id, fields };
  }

  committed(): void {
    if (this.staged !== undefined || this.attempt === undefined) return;
    this.staged = this.attempt;
    this.attempt = undefined;
    holdPending(this.db, this.staged.id);
  }

  /** Whether a transaction of the scope committed its entry. */
  get hasStaged(): boolean {
    return this.staged !== undefined;
  }

  /**
   * Chains the committed entry, with the answer's status and, when the change named none, the
   * target the answer names. False when no transaction of the scope committed an entry.
   */
  async finish(answer: { status: number | null; target?: string | null | undefined }): Promise<boolean> {
    const staged = this.staged;
    if (staged === undefined) return false;
    this.staged = undefined;
    const target = answer.target === null ? null : (staged.fields.target_id ?? answer.target);
    await appendAudit(this.db, { ...staged.fields, target_id: target, status: answer.status }, staged.id);
    return true;
  }
}

/** An id-like string at one of these places of a value (a work's result, an answer's body). */
export function idIn(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { customer?: { member_id?: unknown }; id?: unknown };
  const id = v.customer?.member_id ?? v.id;
  return typeof id === 'string' ? id : null;
}
