import { describe, expect, it } from 'vitest';
import { createStorageHealth, STORAGE_LOG_EVERY_MS, STORAGE_PROBE_EVERY_MS } from './storage-health.js';

interface Line {
  level: 'warn' | 'info';
  details: Record<string, unknown>;
  message: string;
}

function recorder(): { log: { warn: Logged; info: Logged }; lines: Line[] } {
  const lines: Line[] = [];
  return {
    lines,
    log: {
      warn: (details, message) => lines.push({ level: 'warn', details: details as never, message }),
      info: (details, message) => lines.push({ level: 'info', details: details as never, message }),
    },
  };
}
type Logged = (details: object, message: string) => void;

const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

/** A storage health on a clock the test moves, whose probe fails while `diskFull` is set. */
function setup() {
  const state = { t: 1_000_000, diskFull: true, probes: 0 };
  const health = createStorageHealth(
    () => {
      state.probes++;
      return state.diskFull ? Promise.reject(full) : Promise.resolve();
    },
    { now: () => state.t },
  );
  return { state, health, ...recorder() };
}

describe('storage health', () => {
  it('writes are tried while nothing failed, without any probe', async () => {
    const { state, health, log, lines } = setup();
    expect(health.failure).toBeNull();
    expect(await health.writable(log)).toBe(true);
    expect(state.probes).toBe(0);
    expect(lines).toEqual([]);
  });

  it('a failed write logs one line without a stack, and thousands more in the interval log nothing', () => {
    const { state, health, log, lines } = setup();
    health.recordFailure('storage-full', full, log);
    for (let i = 0; i < 5_000; i++) {
      state.t += 1; // 5 s of failures, still inside the 30 s interval
      if (i % 2 === 0) health.recordFailure('storage-full', full, log);
      else health.recordRefusal(log);
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe('warn');
    expect(lines[0]!.details).toEqual({ code: 'SQLITE_FULL' });
    expect(lines[0]!.message).toMatch(/disk under the database is full.*507/);
    expect(JSON.stringify(lines)).not.toMatch(/stack|at .*\.ts/);
    expect(health.failure).toMatchObject({ kind: 'storage-full', code: 'SQLITE_FULL', failures: 5_001 });
  });

  it('then one line per interval, counting what failed or was refused since the last one', () => {
    const { state, health, log, lines } = setup();
    health.recordFailure('storage-full', full, log);
    for (let i = 0; i < 9; i++) {
      state.t += 3_000;
      health.recordRefusal(log);
    }
    expect(lines).toHaveLength(1); // 27 s: not yet
    state.t += STORAGE_LOG_EVERY_MS - 27_000; // exactly 30 s after the first line
    health.recordFailure('storage-full', full, log);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.details).toMatchObject({ code: 'SQLITE_FULL', failures: 10 });
    expect(lines[1]!.message).toMatch(/still failing.*10 failed or refused in the last 30 s/);
    state.t += STORAGE_LOG_EVERY_MS - 1;
    health.recordRefusal(log);
    expect(lines).toHaveLength(2);
    state.t += 1;
    health.recordRefusal(log);
    expect(lines).toHaveLength(3);
    expect(lines[2]!.details).toMatchObject({ failures: 2 });
  });

  it('while failing, writes are refused at once and probed at most once a second', async () => {
    const { state, health, log } = setup();
    health.recordFailure('storage-full', full, log);
    // The first check after a failure probes at once (the failure may have been a burst's last byte).
    expect(await health.writable(log)).toBe(false);
    expect(state.probes).toBe(1);
    for (let i = 0; i < 100; i++) expect(await health.writable(log)).toBe(false);
    expect(state.probes).toBe(1);
    state.t += STORAGE_PROBE_EVERY_MS - 1;
    expect(await health.writable(log)).toBe(false);
    expect(state.probes).toBe(1);
    state.t += 1;
    expect(await health.writable(log)).toBe(false);
    expect(state.probes).toBe(2);
    expect(health.failure).not.toBeNull();
  });

  it('callers arriving during a probe share it', async () => {
    const { state, health, log } = setup();
    health.recordFailure('storage-full', full, log);
    state.diskFull = false;
    const answers = await Promise.all([health.writable(log), health.writable(log), health.writable(log)]);
    expect(answers).toEqual([true, true, true]);
    expect(state.probes).toBe(1);
  });

  it('once a probe write succeeds, writes are tried again and the recovery is logged with the count', async () => {
    const { state, health, log, lines } = setup();
    health.recordFailure('storage-full', full, log);
    state.t += 10;
    health.recordRefusal(log);
    health.recordRefusal(log);
    expect(await health.writable(log)).toBe(false);
    state.diskFull = false;
    state.t += STORAGE_PROBE_EVERY_MS;
    expect(await health.writable(log)).toBe(true);
    expect(health.failure).toBeNull();
    expect(lines.at(-1)).toEqual({
      level: 'info',
      details: { failures: 3, failing_ms: 1_010 },
      message: 'writes succeed again after 3 failed or refused',
    });
    // Healthy again: no probe, and a new failure starts a new episode with its own first line.
    expect(await health.writable(log)).toBe(true);
    expect(state.probes).toBe(2);
    health.recordFailure('storage-full', full, log);
    expect(lines.filter((l) => l.message.startsWith('writes fail:'))).toHaveLength(2);
  });

  it('an I/O failure is told apart (503), and the probe’s last error is what the failure says', async () => {
    const { state, health, log, lines } = setup();
    const io = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
    health.recordFailure('storage-error', io, log);
    expect(lines[0]!.message).toMatch(/fails to write.*503/);
    expect(health.failure).toMatchObject({ kind: 'storage-error', code: 'SQLITE_IOERR_WRITE' });
    expect(await health.writable(log)).toBe(false); // the probe meets SQLITE_FULL
    expect(state.probes).toBe(1);
    expect(health.failure).toMatchObject({ kind: 'storage-full', code: 'SQLITE_FULL' });
  });
});
