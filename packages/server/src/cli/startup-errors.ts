import { loadConfig, type Config } from '../config.js';

/**
 * The failures a newcomer meets when starting Zupy, as one line that names the fix (issue 18):
 * a busy or forbidden port, an unreachable or refusing PostgreSQL, a data directory that cannot be
 * written (SQLite mode). Anything
 * else is not recognised here (`null`) and keeps its stack: it is a bug to report.
 */
export function describeStartupError(error: unknown, env: NodeJS.ProcessEnv = process.env): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const e = error as { code?: unknown; syscall?: unknown; address?: string; port?: number; path?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code === undefined) return null;
  if (e.syscall === 'listen') {
    const where = `${e.address ?? 'the host'}:${e.port ?? '?'}`;
    if (code === 'EADDRINUSE')
      return `port ${where} is already in use (another Zupy, or another program, listens there): stop it or set ZUPY_PORT to a free port`;
    if (code === 'EACCES')
      return `not allowed to listen on ${where} (ports below 1024 need privileges): set ZUPY_PORT to 1024 or above`;
    if (code === 'EADDRNOTAVAIL')
      return `cannot listen on ${where}: ZUPY_HOST is not an address of this machine`;
  }
  const config = configOf(env);
  const dataDir = config && config.databaseUrl === undefined ? config.dataDir : null;
  if (dataDir !== null) {
    const reason = FILE_ERRORS[code];
    if (reason !== undefined && typeof e.path === 'string' && typeof e.syscall === 'string')
      return `cannot write the data directory ${dataDir} (ZUPY_DATA_DIR): ${reason} (${e.path}): set ZUPY_DATA_DIR to a directory this user can write, or fix its permissions`;
    if (/^SQLITE_(CANTOPEN|READONLY|PERM|AUTH)/.test(code))
      return `cannot open the SQLite database in ${dataDir} (ZUPY_DATA_DIR) for writing (${code}): check the directory and its files belong to this user and are writable`;
  }
  const database = config ? databaseTarget(config.databaseUrl) : null;
  if (database !== null) {
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT')
      return `cannot reach PostgreSQL at ${database} (ZUPY_DATABASE_URL): is it running, and is the host and port right?`;
    if (code === '28P01' || code === '28000')
      return `PostgreSQL at ${database} refused the user or password in ZUPY_DATABASE_URL`;
    if (code === '3D000')
      return `the database in ZUPY_DATABASE_URL does not exist on ${database}: create it (createdb) first`;
  }
  return null;
}

const FILE_ERRORS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a file of that name is in the way',
  EISDIR: 'a directory is where a file should be',
};

/** The configuration the failing command ran with, or null when it is itself invalid. */
function configOf(env: NodeJS.ProcessEnv): Config | null {
  try {
    return loadConfig(env);
  } catch {
    return null;
  }
}

/** `host:port` of the configured PostgreSQL (no user, no password), or null on SQLite. */
function databaseTarget(url: string | undefined): string | null {
  if (url === undefined || !URL.canParse(url)) return null;
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}`;
}
