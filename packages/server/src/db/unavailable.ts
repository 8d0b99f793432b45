/** PostgreSQL SQLSTATE classes and codes that mean "the database is not there right now". */
const UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown: the server is stopping or restarting
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up
  '53300', // too_many_connections
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'SQLITE_BUSY', // another process held the write lock past busy_timeout
  'SQLITE_BUSY_SNAPSHOT',
]);

/**
 * True when a query failed because the database could not be reached or is restarting, not because
 * of the query: the request may simply be sent again, so the API answers 503 with Retry-After.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string') return UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08');
  // node-postgres reports a dropped connection by message only.
  return (
    typeof e?.message === 'string' &&
    /Connection terminated|connection error and is not queryable|Client was closed/.test(e.message)
  );
}
