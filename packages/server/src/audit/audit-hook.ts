import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { storageFailureOf } from '../db/database-failure.js';
import type { StorageHealth } from '../db/storage-health.js';
import type { Tables } from '../db/tables.js';
import { routePattern } from '../http/access-log.js';
import { appendAudit, pruneAuditLog } from './append-audit.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const PRUNE_EVERY_MS = 60_000;

export interface AuditOptions {
  /** The route prefix left out of the actions (`/api/v2`). */
  prefix: string;
  /** ZUPY_AUDIT_RETENTION: entries older than this are removed. */
  retentionMs: number;
  now: () => Date;
  /** A write refused for lack of space is the storage health's to log (once), not one line per entry. */
  storage: StorageHealth;
}

/** The id a write was about: its path's id, else the one its answer created (a member, an endpoint). */
function targetOf(request: FastifyRequest, payload: unknown): string | null {
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  const fromPath = params.member_id?.toUpperCase() ?? params.id ?? params.code ?? Object.values(params)[0];
  if (fromPath !== undefined) return fromPath;
  if (typeof payload !== 'string' || !payload.startsWith('{')) return null;
  try {
    const body = JSON.parse(payload) as { customer?: { member_id?: unknown }; id?: unknown };
    const id = body.customer?.member_id ?? body.id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/**
 * Records every authenticated write (POST, PUT, PATCH, DELETE) of the scope in the audit log, before
 * the answer is sent: when, which key (its prefix; `panel` when the admin panel sent it), from which
 * address, the action (method and route pattern, never the URL) and the target id, with the status.
 * No body, no query string: nothing personal. A 5xx is not recorded (nothing was written). A failure
 * to record is logged in one line, never the caller's; when the disk under the database is full (the
 * change was committed just before it filled), the storage health counts it in its one line instead.
 */
export function installAuditLog(api: FastifyInstance, db: Kysely<Tables>, options: AuditOptions): void {
  let prunedAt = 0;
  api.addHook('onSend', async (request, reply, payload) => {
    if (READS.has(request.method) || request.auth === null) return payload;
    // A 5xx changed nothing (the database or its disk refused, or a bug): there is no write to
    // record, and while the disk is full or the database is down the entry could not be written
    // either (the storage health already logs that once).
    if (reply.statusCode >= 500) return payload;
    const now = options.now();
    try {
      await appendAudit(db, {
        company_id: request.auth.companyId,
        at: now.toISOString(),
        actor: request.headers['x-zupy-client'] === 'panel' ? 'panel' : 'api',
        key_prefix: request.auth.keyPrefix,
        address: request.ip,
        action: `${request.method} ${routePattern(request).replace(options.prefix, '')}`,
        // A 404 names nothing of this company's (it may be another company's id): no target.
        target_id: reply.statusCode === 404 ? null : targetOf(request, payload),
        status: reply.statusCode,
      });
      if (now.getTime() - prunedAt > PRUNE_EVERY_MS) {
        prunedAt = now.getTime();
        await pruneAuditLog(db, new Date(now.getTime() - options.retentionMs));
      }
    } catch (error) {
      const storageFailure = storageFailureOf(error);
      if (storageFailure !== null) {
        options.storage.recordFailure(storageFailure, error, request.log);
        return payload;
      }
      // One line, no stack: what failed and why (the change itself was made and answered).
      request.log.error(
        { code: (error as { code?: unknown }).code },
        `could not record the audit entry: ${(error as Error).message}`,
      );
    }
    return payload;
  });
}
