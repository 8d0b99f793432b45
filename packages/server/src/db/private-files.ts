import fs from 'node:fs';

/** The data dir holds customers' personal data and the master key: only its owner may enter it. */
export const PRIVATE_DIR_MODE = 0o700;
/** The database, its -wal and -shm, and the master key: owner read-write only. */
export const PRIVATE_FILE_MODE = 0o600;

const warned = new Set<string>();

/** Warns once per path and process when `path` lets its group or others in (a mode wider than `mode`). */
function warnIfWider(path: string, mode: number, what: string): void {
  const actual = fs.statSync(path).mode & 0o777;
  if ((actual & ~mode) === 0 || warned.has(path)) return;
  warned.add(path);
  process.emitWarning(
    `${what} ${path} has mode ${actual.toString(8).padStart(4, '0')}, so other users on this machine ` +
      `can read it; run chmod ${mode.toString(8)} ${path}`,
    { code: 'ZUPY_DATA_PERMISSIONS' },
  );
}

/**
 * Creates `dir` (and its parents) with mode 0700 whatever the umask; an existing one is left as the
 * operator set it, with a warning when it is wider than 0700.
 */
export function ensurePrivateDir(dir: string): void {
  if (fs.existsSync(dir)) return warnIfWider(dir, PRIVATE_DIR_MODE, 'the data dir');
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir's mode is filtered by the umask (which may also be 0o000 in a container): set it outright.
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Creates an empty `file` with mode 0600 whatever the umask, unless it exists already (then warns
 * when it is wider than 0600). SQLite gives the -wal and -shm files it creates the mode of the
 * database file, so creating the database this way before SQLite opens it covers all three.
 */
export function ensurePrivateFile(file: string, what: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return warnIfWider(file, PRIVATE_FILE_MODE, what);
  }
  try {
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    fs.closeSync(fd);
  }
}
