import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { runCli, startServeProcess, type ServeProcess } from './helpers/serve-process.js';
import { onPostgres } from './helpers/test-database.js';
import { makeClient, tempDir, type ApiClient } from './helpers/test-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Why a tmpfs cannot be mounted here (not root, no CAP_SYS_ADMIN, a locked-down container), or null. */
function mountProblem(): string | null {
  if (process.platform !== 'linux') return `mount -t tmpfs needs Linux (this is ${process.platform})`;
  const dir = tempDir('zupy-mount-check-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return `cannot mount a tmpfs here (${stderr || (error as Error).message}); run as root to test a full disk`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const cannotMount = mountProblem();
if (cannotMount !== null) console.warn(`disk-full.test.ts skipped: ${cannotMount}`);

/** Appends junk to `dir`/junk until the filesystem is full to the last page; returns the file. */
function fillDisk(dir: string): string {
  const file = path.join(dir, 'junk');
  const fd = fs.openSync(file, 'a');
  try {
    for (const size of [1024 * 1024, 64 * 1024, 4096, 512]) {
      const chunk = Buffer.alloc(size, 0x5a);
      for (;;) {
        try {
          fs.writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/**
 * A full disk, for real: the database lives on a small tmpfs mounted for the test (SQLite: the data
 * dir; PostgreSQL: a tablespace holding the whole database), which a junk file fills. Writes are
 * answered 507 with Retry-After, never 500; /readyz says not ready and /healthz stays up; the log
 * says it once, without stacks; the worker keeps running. Once a little space is freed, writes and
 * readiness come back by themselves and every registration answered 201 is delivered.
 */
describe.skipIf(cannotMount !== null)(
  `a full disk under the database${cannotMount === null ? '' : ` (skipped: ${cannotMount})`}`,
  () => {
    const mountDir = tempDir('zupy-disk-full-');
    let mounted = false;
    const dataDir = onPostgres ? tempDir('zupy-disk-full-data-') : path.join(mountDir, 'data');
    let serve: ServeProcess | undefined;
    let receiver: Receiver | undefined;
    let pgAdmin: pg.Client | undefined;
    let databaseUrl: string | undefined;
    const tablespace = `zupy_full_${randomBytes(4).toString('hex')}`;
    const databaseName = `zupy_${randomBytes(6).toString('hex')}`;

    beforeAll(async () => {
      // PostgreSQL copies its template database (~8 MB) into the tablespace: a larger tmpfs.
      const size = onPostgres ? '40m' : '16m';
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', mountDir]);
      mounted = true;
      if (onPostgres) {
        // As root the server runs as the `postgres` system user (helpers/pg-server.mjs), otherwise as
        // this one: it owns the tablespace's directory.
        const location = path.join(mountDir, 'pg');
        fs.mkdirSync(location, { mode: 0o700 });
        if (process.getuid?.() === 0) {
          const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
          const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
          fs.chownSync(location, uid, gid);
        }
        const admin = inject('pgAdminUrl');
        pgAdmin = new pg.Client({ connectionString: admin });
        await pgAdmin.connect();
        await pgAdmin.query(`create tablespace ${tablespace} location '${location}'`);
        await pgAdmin.query(`create database ${databaseName} tablespace ${tablespace}`);
        databaseUrl = admin.replace(/\/[^/]*$/, `/${databaseName}`);
      }
      receiver = await startReceiver();
    });

    afterAll(async () => {
      serve?.child.kill('SIGKILL');
      if (serve) await serve.exited;
      await receiver?.close();
      if (pgAdmin) {
        await pgAdmin.query(`drop database if exists ${databaseName} with (force)`).catch(() => undefined);
        await pgAdmin.query(`drop tablespace if exists ${tablespace}`).catch(() => undefined);
        await pgAdmin.end();
      }
      if (mounted) execFileSync('umount', ['--lazy', mountDir]);
      fs.rmSync(mountDir, { recursive: true, force: true });
      if (onPostgres) fs.rmSync(dataDir, { recursive: true, force: true });
    });

    const walBytes = (): number => fs.statSync(path.join(dataDir, 'zupy.db-wal')).size;

    it('answers 507 with Retry-After, is not ready, logs once, and recovers as soon as some space is freed', async () => {
      const env = {
        ...(databaseUrl ? { ZUPY_DATABASE_URL: databaseUrl } : {}),
        ZUPY_DATA_DIR: dataDir,
        ZUPY_ALLOW_PRIVATE_NETWORK: '1',
        ZUPY_RETRY_SCHEDULE: '0s,200ms,500ms,1s,2s',
        ZUPY_LOG_LEVEL: 'warn',
        // Thousands of refused requests a minute: the per-key limit is not what this test is about.
        ZUPY_RATE_LIMIT: '1000000',
      };
      const { api_key: key } = JSON.parse(
        await runCli(env, 'company', 'create', '--name', 'Full Disk', '--json'),
      ) as { api_key: string };
      serve = await startServeProcess(env);
      const url = serve.url;
      const api = makeClient(url, key);
      expect((await api.post('/api/v2/webhooks/endpoints/', { url: receiver!.url })).status).toBe(201);

      const accepted = new Map<string, string>(); // phone → member id, for every 201
      const refused: string[] = [];
      const unexpected: string[] = [];
      let next = 0;
      let refusal: Awaited<ReturnType<ApiClient['post']>> | undefined;
      const register = async (phone = `+55119${String(60_000_000 + next++)}`) => {
        const res = await api.post('/api/v2/customers/', { phone, name: `Full ${phone}` });
        if (res.status === 201) accepted.set(phone, res.body.customer.member_id as string);
        else if (res.status === 507) {
          refused.push(phone);
          refusal ??= res;
        } else unexpected.push(`${res.status} ${res.text}`);
        return res.status;
      };
      for (let i = 0; i < 30; i++) expect(await register()).toBe(201);
      const beforeFull = serve.output().length;

      // The first webhooks delivered (and their attempts recorded) before the disk is full.
      await receiver!.waitForMembers(accepted.values());
      // Low on space, the checkpoint thread gives the WAL's space back to the disk
      // (db/background-checkpoints.ts): fill that too, until nothing is left.
      let junk = '';
      for (let round = 0; round < 4; round++) {
        junk = fillDisk(mountDir);
        await sleep(250);
      }
      // What space the database had left is used up; then every write is refused.
      for (let i = 0; i < 5_000 && refused.length < 20; i++) await register();
      expect(unexpected).toEqual([]);
      expect(refused.length).toBe(20);
      // Low on space, SQLite keeps nothing in the WAL that waits for space to be copied, and gives
      // the WAL's space back to the disk (db/background-checkpoints.ts).
      if (!onPostgres) expect(walBytes()).toBeLessThan(256 * 1024);

      // An RFC 9457 problem with a stable code, and when to send it again.
      expect(refusal!.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refusal!.headers.get('retry-after')).toBe('5');
      expect(refusal!.body).toEqual({
        type: 'https://zupy.dev/problems/storage-full',
        title: 'Insufficient storage',
        status: 507,
        detail: 'the disk under the database is full; send the request again after Retry-After seconds',
        instance: '/api/v2/customers/',
        code: 'ZUPY_STORAGE_FULL',
      });

      // Not ready (a load balancer sends writes elsewhere), yet alive (nothing restarts it), and reads
      // are still served.
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('5');
      expect(((await ready.json()) as { detail: string }).detail).toMatch(
        /^writes fail since .*: the disk under the database is full$/,
      );
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const list = await api.get('/api/v2/customers/?page_size=5');
      expect(list.status).toBe(200);
      expect(list.body.data).toHaveLength(5);

      // Hundreds more writes, from two clients at once: still 507, and the log holds one line about
      // it, no stack, however many requests failed. (Counted, not timed: a loaded machine answers
      // fewer per second; the 20 s bound only stops a loop that could not reach the count.)
      const hammerUntil = Date.now() + 20_000;
      await Promise.all(
        [0, 1].map(async () => {
          while (refused.length < 300 && Date.now() < hammerUntil) expect(await register()).toBe(507);
        }),
      );
      expect(refused.length).toBeGreaterThanOrEqual(300);
      const logged = serve.output().slice(beforeFull);
      const lines = logged.split('\n').filter((l) => l.trim() !== '');
      const failLines = lines.filter((l) => l.includes('writes fail:'));
      expect(failLines).toHaveLength(1);
      // The engine's own disk-full error: PostgreSQL's disk_full, SQLite's SQLITE_FULL.
      expect(JSON.parse(failLines[0]!)).toMatchObject({
        level: 40,
        code: onPostgres ? '53100' : 'SQLITE_FULL',
      });
      expect(logged).not.toMatch(/"stack"|\n\s+at /);
      expect(lines.length, logged).toBeLessThanOrEqual(4);
      expect(serve.child.exitCode).toBeNull();
      // SQLite warned early, at start: 16 MB is less than 64 MB free.
      if (!onPostgres) expect(serve.output()).toMatch(/\[ZUPY_DISK_LOW\] Warning: the disk under .* MB free/);

      // Half a megabyte back while two clients keep writing. Writes succeed again within about a
      // second (the gate probes once a second), and the space freed goes to the data: hundreds of
      // registrations fit in it. (Were the WAL allowed the last free pages, a few dozen would
      // succeed, then writes would wedge until far more than the WAL holds was freed.)
      const freed = 512 * 1024;
      fs.truncateSync(junk, fs.statSync(junk).size - freed);
      const freedAt = Date.now();
      const acceptedBefore = accepted.size;
      const fitting = onPostgres ? 20 : 100;
      let recoveredAt = 0;
      let fullAgain = false;
      // Until more than `fitting` are in, or the disk is full again after recovering: a count of
      // what fits, not of what a loaded machine writes in some seconds (bounded at 30 s).
      await Promise.all(
        [0, 1].map(async () => {
          while (!fullAgain && accepted.size - acceptedBefore <= fitting && Date.now() - freedAt < 30_000) {
            if ((await register()) === 201) recoveredAt ||= Date.now();
            else if (recoveredAt > 0) fullAgain = true;
            else await sleep(20);
          }
        }),
      );
      expect(unexpected).toEqual([]);
      expect(recoveredAt, `no write succeeded:\n${serve.output().slice(beforeFull)}`).toBeGreaterThan(0);
      expect(recoveredAt - freedAt).toBeLessThan(3_000);
      expect(accepted.size - acceptedBefore).toBeGreaterThan(fitting);

      // The operator frees the rest: ready again at once; clients send again what was refused: each
      // is enrolled now (none was half-written before).
      fs.rmSync(junk);
      const readyAgain = Date.now() + 5_000;
      while ((await fetch(`${url}/readyz`)).status !== 200) {
        if (Date.now() > readyAgain) throw new Error(`still not ready:\n${serve.output().slice(beforeFull)}`);
        await sleep(100);
      }
      const retried = refused.splice(0);
      for (const phone of retried.slice(0, 50)) expect(await register(phone)).toBe(201);
      for (let i = 0; i < 20; i++) expect(await register()).toBe(201);
      expect(unexpected).toEqual([]);

      // Nothing accepted is lost: every registration answered 201 is delivered.
      await receiver!.waitForMembers(accepted.values(), 60_000);
      expect(serve.child.exitCode).toBeNull();
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      serve = undefined;

      const database = openDatabase({ dataDir, databaseUrl });
      try {
        const customers = await database.db.selectFrom('customers').select('member_id').execute();
        expect(customers.map((c) => c.member_id).sort()).toEqual([...accepted.values()].sort());
        const events = await database.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('type', '=', 'customer.registered')
          .executeTakeFirstOrThrow();
        expect(Number(events.n)).toBe(accepted.size);
        if (!onPostgres) {
          const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(database.db);
          expect(check.rows).toEqual([{ integrity_check: 'ok' }]);
        }
      } finally {
        await database.close();
      }
    }, 120_000);
  },
);
