import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { storageFailureOf } from '../db/database-failure.js';
import type { StorageHealth } from '../db/storage-health.js';
import type { Tables } from '../db/tables.js';
import { routePattern } from '../http/access-log.js';
import { runInTransactionScope } from '../db/transaction-scope.js';
import { appendAudit, pruneAuditLog } from './append-audit.js';
import { AuditScope, idIn } from './audit-scope.js';

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

/** The id a write was about from its path, if it names one. */
function pathTarget(request: FastifyRequest): string | undefined {
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  return params.member_id?.toUpperCase() ?? params.id ?? params.code ?? Object.values(params)[0];
}

/** The id the answer names (a created member, an endpoint), when the path named none. */
function payloadTarget(payload: unknown): string | null {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return null;
  try {
    return idIn(JSON.parse(payload));
  } catch {
    return null;
  }
}

const scopes = new WeakMap<FastifyRequest, AuditScope>();

/**
 * Records every authenticated write (POST, PUT, PATCH, DELETE) of the scope in the audit log: when,
 * which key (its prefix; `panel` when the admin panel sent it), from which address, the action
 * (method and route pattern, never the URL) and the target id, with the status. No body, no query
 * string: nothing personal.
 *
 * A write that changes something writes its entry in the transaction of the change (an `AuditScope`
 * around the handler; db/transaction-scope.ts): the entry is committed exactly when the change is,
 * and chained with the answer's status before the answer is sent (a crash in between leaves it for
 * the next process's sweep, with no status). A write whose transaction failed has no entry; one
 * refused before any change (a 4xx) is appended as the answer goes out, with its status; a 5xx with
 * no change is not recorded. A failure to chain is logged in one line, never the caller's (the entry
 * stays pending and the runtime's sweep chains it); when the disk under the database is full, the storage health
 * counts it in its one line instead.
 */
export function installAuditLog(api: FastifyInstance, db: Kysely<Tables>, options: AuditOptions): void {
  let prunedAt = 0;
  api.addHook('preHandler', (request, _reply, done) => {
    const auth = request.auth;
    if (READS.has(request.method) || auth === null) {
      done();
      return;
    }
    const actor = request.headers['x-zupy-client'] === 'panel' ? 'panel' : 'api';
    const action = `${request.method} ${routePattern(request).replace(options.prefix, '')}`;
    const scope = new AuditScope(db, (_trx, value) =>
      Promise.resolve({
        company_id: auth.companyId,
        at: options.now().toISOString(),
        actor,
        key_prefix: auth.keyPrefix,
        address: request.ip,
        action,
        target_id: pathTarget(request) ?? idIn(value),
      }),
    );
    scopes.set(request, scope);
    // The handler and everything it starts run in the scope: its transactions write the entry.
    runInTransactionScope(scope, done);
  });
  api.addHook('onSend', async (request, reply, payload) => {
    if (READS.has(request.method) || request.auth === null) return payload;
    const scope = scopes.get(request);
    const status = reply.statusCode;
    // A 404 names nothing of this company's (it may be another company's id): no target.
    const target = status === 404 ? null : (pathTarget(request) ?? payloadTarget(payload));
    const now = options.now();
    try {
      if (scope === undefined || !(await scope.finish({ status, target }))) {
        // Nothing was committed. A 5xx changed nothing (the database or its disk refused, or a
        // bug) and, while the disk is full or the database is down, the entry could not be written
        // either (the storage health already logs that once): no entry.
        if (status >= 500) return payload;
        await appendAudit(db, {
          company_id: request.auth.companyId,
          at: now.toISOString(),
          actor: request.headers['x-zupy-client'] === 'panel' ? 'panel' : 'api',
          key_prefix: request.auth.keyPrefix,
          address: request.ip,
          action: `${request.method} ${routePattern(request).replace(options.prefix, '')}`,
          target_id: target,
          status,
        });
      }
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
