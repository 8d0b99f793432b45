import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { toPage, type ListSource, type Page } from '../shared/cursor.js';
import { apiTimestamp } from '../shared/timestamps.js';
import { auditHash } from './audit-hash.js';

export interface AuditEntryView {
  seq: number;
  at: string;
  actor: string;
  key_prefix: string | null;
  address: string | null;
  action: string;
  target_id: string | null;
  status: number | null;
  prev_hash: string;
  hash: string;
}

export interface AuditQuery {
  target?: string | undefined;
  action?: string | undefined;
  since?: string | undefined;
  cursor?: string | undefined;
  pageSize: number;
}

/** The company's audit log, newest first, filtered by target id, action and time. */
export async function listAuditLog(
  source: ListSource,
  companyId: string,
  query: AuditQuery,
): Promise<Page<AuditEntryView>> {
  const before = source.cursors.decode(companyId, query.cursor);
  let q = source.db
    .selectFrom('audit_log')
    .selectAll()
    .where('company_id', '=', companyId)
    .orderBy('seq', 'desc')
    .limit(query.pageSize + 1);
  if (before !== undefined) q = q.where('seq', '<', before);
  if (query.target !== undefined) q = q.where('target_id', '=', query.target);
  if (query.action !== undefined) q = q.where('action', '=', query.action);
  if (query.since !== undefined) q = q.where('at', '>=', new Date(query.since).toISOString());
  const rows = await q.execute();
  return toPage(
    rows,
    query.pageSize,
    (r) => Number(r.seq),
    (r) => ({
      seq: Number(r.seq),
      at: apiTimestamp(r.at),
      actor: r.actor,
      key_prefix: r.key_prefix,
      address: r.address,
      action: r.action,
      target_id: r.target_id,
      status: r.status === null ? null : Number(r.status),
      prev_hash: r.prev_hash,
      hash: r.hash,
    }),
    { cursors: source.cursors, companyId },
  );
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  /** The first entry whose link does not hold, or null. */
  broken_at: number | null;
}

/**
 * Walks the company's log oldest first and recomputes each link. The oldest entry left after
 * retention starts the chain (its `prev_hash` names an entry already pruned).
 */
export async function verifyAuditChain(db: Kysely<Tables>, companyId: string): Promise<ChainCheck> {
  const BATCH = 1000;
  let after = 0;
  let prev: string | null = null;
  let checked = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('seq', '>', after)
      .orderBy('seq', 'asc')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      const expectedPrev = prev ?? row.prev_hash;
      const status = row.status === null ? null : Number(row.status);
      if (row.prev_hash !== expectedPrev || auditHash(expectedPrev, { ...row, status }) !== row.hash)
        return { ok: false, checked, broken_at: Number(row.seq) };
      prev = row.hash;
      checked++;
    }
    if (rows.length < BATCH) return { ok: true, checked, broken_at: null };
    after = Number(rows.at(-1)!.seq);
  }
}
