import type { FastifyPluginAsync } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { StorageHealth } from '../db/storage-health.js';
import type { Tables } from '../db/tables.js';
import { ZupyError } from '../errors.js';
import { STORAGE_RETRY_AFTER_SECONDS } from './storage-gate.js';

const STORAGE_TROUBLE = {
  'storage-full': 'the disk under the database is full',
  'storage-error': 'the storage under the database fails to write',
} as const;

/**
 * Operator endpoints: liveness (the process answers, whatever the database does) and readiness (the
 * database answers, and writes succeed: while they fail for lack of space, not ready, and each call
 * may probe whether they succeed again, so readiness comes back without any client's write).
 */
export const healthRoutes =
  (db: Kysely<Tables>, storage: StorageHealth): FastifyPluginAsync =>
  (app) => {
    app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
    app.get('/readyz', { schema: { hide: true } }, async (request) => {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        throw new ZupyError('ZUPY_UNAVAILABLE', `database not reachable: ${(error as Error).message}`);
      }
      if (!(await storage.writable(request.log))) {
        const failure = storage.failure;
        throw new ZupyError(
          'ZUPY_UNAVAILABLE',
          failure === null
            ? 'writes fail'
            : `writes fail since ${new Date(failure.since).toISOString()}: ${STORAGE_TROUBLE[failure.kind]}`,
          { headers: { 'Retry-After': String(STORAGE_RETRY_AFTER_SECONDS) } },
        );
      }
      return { status: 'ready' };
    });
    return Promise.resolve();
  };
