import type { FastifyInstance } from 'fastify';
import type { StorageFailureKind } from '../db/database-failure.js';
import type { StorageHealth } from '../db/storage-health.js';
import { ZupyError } from '../errors.js';

/**
 * Seconds a client should wait before sending a refused write again. Space comes back when an
 * operator frees it, not within a second; the server probes every second meanwhile, so a client
 * retrying at this pace is served at most this long after writes succeed again.
 */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The answer to a write the storage refused or would refuse: 507 when the disk is full, 503 when
 * the storage fails otherwise (I/O error, read-only filesystem). Never names a path or the engine's
 * own message: those are in the server log.
 */
export function storageRefusal(kind: StorageFailureKind): ZupyError {
  const headers = { 'Retry-After': String(STORAGE_RETRY_AFTER_SECONDS) };
  if (kind === 'storage-full') {
    return new ZupyError(
      'ZUPY_STORAGE_FULL',
      'the disk under the database is full; send the request again after Retry-After seconds',
      { headers },
    );
  }
  return new ZupyError(
    'ZUPY_UNAVAILABLE',
    'the storage under the database fails to write; send the request again after Retry-After seconds',
    { headers },
  );
}

/**
 * While writes fail for lack of space, every write request is refused before it reaches the
 * database, reads are served as usual, and one write a second at most probes whether writes succeed
 * again (db/storage-health.ts explains why refusing beats trying). Runs after authentication and the
 * rate limit: those answers come first.
 */
export function installStorageGate(api: FastifyInstance, storage: StorageHealth): void {
  api.addHook('preHandler', async (request) => {
    if (READ_METHODS.has(request.method)) return;
    if (await storage.writable(request.log)) return;
    storage.recordRefusal(request.log);
    throw storageRefusal(storage.failure?.kind ?? 'storage-full');
  });
}
