/**
 * What kind of failure a database error is, when it is not the query's fault: the API answers it
 * with a problem saying so (never a 500, which means a bug), and readiness follows it.
 *
 * - `storage-full`: the disk (or quota) under the database is full. Writes fail until space is
 *   freed; reads go on. 507 Insufficient Storage.
 * - `storage-error`: the storage refuses writes for another reason (an I/O error, a read-only
 *   remount). 503.
 * - `unavailable`: the database cannot be reached or is restarting; the request may simply be sent
 *   again. 503.
 */
export type DatabaseFailure = 'storage-full' | 'storage-error' | 'unavailable';

/** A failure of the storage under the database, as opposed to the connection to it. */
export type StorageFailureKind = Exclude<DatabaseFailure, 'unavailable'>;

const STORAGE_FULL_CODES = new Set([
  'SQLITE_FULL', // "database or disk is full": SQLite's write() met ENOSPC
  'ENOSPC', // a write or fsync of our own (the WAL sync, the master key)
  'EDQUOT', // the user's disk quota is spent
  '53100', // PostgreSQL disk_full: "could not extend file …: No space left on device"
]);

const STORAGE_ERROR_CODES = new Set([
  'EIO',
  'EROFS', // the filesystem was remounted read-only (ext4 errors=remount-ro)
  '58030', // PostgreSQL io_error
]);
/** SQLITE_IOERR_WRITE, _FSYNC, _SHMSIZE …; SQLITE_READONLY, _DBMOVED …: extended codes of two families. */
const STORAGE_ERROR_PREFIXES = ['SQLITE_IOERR', 'SQLITE_READONLY'];

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

/** The kind of database failure `error` is, or `null` when it is something else (a bug, a bad query). */
export function classifyDatabaseFailure(error: unknown): DatabaseFailure | null {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string') {
    const code = e.code;
    if (STORAGE_FULL_CODES.has(code)) return 'storage-full';
    if (STORAGE_ERROR_CODES.has(code) || STORAGE_ERROR_PREFIXES.some((p) => code.startsWith(p)))
      return 'storage-error';
    // SQLSTATE class 08: connection exceptions.
    if (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return 'unavailable';
    return null;
  }
  // node-postgres reports a dropped connection by message only.
  if (
    typeof e?.message === 'string' &&
    /Connection terminated|connection error and is not queryable|Client was closed/.test(e.message)
  )
    return 'unavailable';
  return null;
}

/** Whether `error` is the storage failing (full, I/O, read-only), so that writes fail for a while. */
export function storageFailureOf(error: unknown): StorageFailureKind | null {
  const failure = classifyDatabaseFailure(error);
  return failure === 'unavailable' ? null : failure;
}
