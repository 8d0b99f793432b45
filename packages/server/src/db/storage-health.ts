import { storageFailureOf, type StorageFailureKind } from './database-failure.js';

/** While writes fail, at most one probe write per this interval tells whether they succeed again. */
export const STORAGE_PROBE_EVERY_MS = 1_000;
/** While writes fail, one log line per this interval, counting the failures: never one per request. */
export const STORAGE_LOG_EVERY_MS = 30_000;

/** The logger calls this needs (Fastify's and pino's loggers have them). */
export interface StorageLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export interface StorageFailure {
  readonly kind: StorageFailureKind;
  /** The error code of the last failure (`SQLITE_FULL`, `53100`, `ENOSPC` …) and its message. */
  readonly code: string;
  readonly message: string;
  /** When writes began to fail (ms since the epoch). */
  readonly since: number;
  /** Writes that failed or were refused since then. */
  readonly failures: number;
}

/**
 * Whether the storage under the database takes writes. A write that fails because the disk is full
 * (or the storage fails) turns it to failing; from then on writes are refused up front (the API
 * answers 507 without touching the database, the delivery worker claims nothing) and, at most once a
 * second, a probe write (database.ts) tells whether they succeed again: then they are let through.
 *
 * Refusing instead of trying is what lets SQLite recover as soon as some space is freed: every
 * write tried would append to the WAL, taking the freed space the checkpoint needs to grow the
 * database and empty the WAL, and writes would keep failing. The probe runs the checkpoint first.
 */
export interface StorageHealth {
  /** `null` while writes succeed. */
  readonly failure: StorageFailure | null;
  /** A write failed because of the storage; logged once, then once per interval with a count. */
  recordFailure(kind: StorageFailureKind, error: unknown, log: StorageLog): void;
  /** A write was refused because writes fail (counted in the next log line). */
  recordRefusal(log: StorageLog): void;
  /**
   * True when writes may be tried: they succeed, or a probe just showed they do again (logged).
   * While they fail, false at once unless a probe is due (then its outcome).
   */
  writable(log: StorageLog): Promise<boolean>;
}

export interface StorageHealthOptions {
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
  probeEveryMs?: number;
  logEveryMs?: number;
}

const DESCRIBE: Record<StorageFailureKind, string> = {
  'storage-full': 'the disk under the database is full',
  'storage-error': 'the storage under the database fails to write',
};

/** `probe` makes one small durable write, and rejects when the storage still refuses it. */
export function createStorageHealth(
  probe: () => Promise<void>,
  options: StorageHealthOptions = {},
): StorageHealth {
  const now = options.now ?? Date.now;
  const probeEveryMs = options.probeEveryMs ?? STORAGE_PROBE_EVERY_MS;
  const logEveryMs = options.logEveryMs ?? STORAGE_LOG_EVERY_MS;
  let failure: {
    kind: StorageFailureKind;
    code: string;
    message: string;
    since: number;
    failures: number;
  } | null = null;
  let loggedAt = 0;
  let unlogged = 0;
  let probedAt = 0;
  let probing: Promise<boolean> | null = null;

  const describeError = (error: unknown): { code: string; message: string } => {
    const e = error as { code?: unknown; message?: unknown } | null;
    return {
      code: typeof e?.code === 'string' ? e.code : 'unknown',
      message: typeof e?.message === 'string' ? e.message : 'unknown error',
    };
  };

  // One line when writes start failing; then, at the next failure past the interval, one line with
  // how many failed meanwhile. No stack: it is the same condition every time.
  const count = (log: StorageLog): void => {
    if (failure === null) return;
    failure.failures++;
    unlogged++;
    if (now() - loggedAt < logEveryMs) return;
    log.warn(
      { code: failure.code, failures: unlogged, failing_since: new Date(failure.since).toISOString() },
      `writes still failing: ${DESCRIBE[failure.kind]} (${failure.message}); ${unlogged} failed or refused in the last ${Math.round((now() - loggedAt) / 1000)} s`,
    );
    loggedAt = now();
    unlogged = 0;
  };

  const runProbe = async (log: StorageLog): Promise<boolean> => {
    try {
      await probe();
    } catch (error) {
      const kind = storageFailureOf(error);
      if (failure !== null && kind !== null) Object.assign(failure, { kind, ...describeError(error) });
      return false;
    }
    if (failure !== null) {
      log.info(
        { failures: failure.failures, failing_ms: now() - failure.since },
        `writes succeed again after ${failure.failures} failed or refused`,
      );
    }
    failure = null;
    return true;
  };

  return {
    get failure() {
      return failure === null ? null : { ...failure };
    },
    recordFailure(kind, error, log) {
      if (failure === null) {
        const at = now();
        failure = { kind, ...describeError(error), since: at, failures: 1 };
        // A probe runs at the next chance: the failure may have been the last byte of a burst.
        probedAt = at - probeEveryMs;
        loggedAt = at;
        unlogged = 0;
        log.warn(
          { code: failure.code },
          `writes fail: ${DESCRIBE[kind]} (${failure.message}); answering ` +
            `${kind === 'storage-full' ? '507' : '503'} to writes until one succeeds again`,
        );
        return;
      }
      Object.assign(failure, { kind, ...describeError(error) });
      count(log);
    },
    recordRefusal(log) {
      count(log);
    },
    writable(log) {
      if (failure === null) return Promise.resolve(true);
      if (probing !== null) return probing;
      if (now() - probedAt < probeEveryMs) return Promise.resolve(false);
      probedAt = now();
      probing = runProbe(log).finally(() => {
        probing = null;
      });
      return probing;
    },
  };
}
