import type { FastifyPluginAsync } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { ZupyError } from '../errors.js';

/** Operator endpoints: liveness (the process answers) and readiness (the database answers). */
export const healthRoutes =
  (db: Kysely<Tables>): FastifyPluginAsync =>
  (app) => {
    app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
    app.get('/readyz', { schema: { hide: true } }, async () => {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        throw new ZupyError('ZUPY_UNAVAILABLE', `database not reachable: ${(error as Error).message}`);
      }
      return { status: 'ready' };
    });
    return Promise.resolve();
  };
