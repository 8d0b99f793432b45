import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { sampleEvent } from '@zupy/webhooks';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createCompany } from '../src/companies/create-company.js';
import { loadConfig } from '../src/config.js';
import { runInTransaction } from '../src/db/transaction.js';
import { recordEvent } from '../src/events/record-event.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { createEndpoint } from '../src/webhooks/endpoint-store.js';
import { defaultWorkerOptions } from '../src/delivery/delivery-worker.js';
import { expectOnceEach, startTimingReceiver, succeededCount } from './helpers/delivery-audit.js';
import { CLI } from './helpers/serve-process.js';
import { databaseEnv, freshDatabaseUrl, onPostgres } from './helpers/test-database.js';
import { startReceiver } from './helpers/receiver.js';
import { tempDir } from './helpers/test-server.js';

const EVENTS = 5000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Several `zupy worker` processes share one PostgreSQL queue (SKIP LOCKED claims, leases, NOTIFY). */
describe.skipIf(!onPostgres)('three zupy worker processes on PostgreSQL', () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('deliver 5,000 events, each exactly once successfully, never two attempts at once, despite a kill -9', async () => {
    const receiver = await startTimingReceiver();
    cleanups.push(receiver.close);
    const { url, hits } = receiver;

    const { env, ctx, company } = await sharedQueue('Multi', { ZUPY_DELIVERY_TIMEOUT: '2s' });
    await createEndpoint(ctx, company.company_id, { url });
    for (let start = 0; start < EVENTS; start += 500) {
      await runInTransaction(ctx.db, async (trx) => {
        for (let i = start; i < start + 500; i++) {
          const event = sampleEvent('customer.registered', { companyId: company.company_id });
          event.customer.member_id = `ZP-${i.toString(16).toUpperCase().padStart(8, '0')}`;
          await recordEvent(trx, event, new Date());
        }
      });
    }

    const victim = spawnWorkerWith(env);
    spawnWorkerWith(env);
    spawnWorkerWith(env);

    // Kill one worker mid-run, while it has requests in flight.
    for (let i = 0; hits.length < EVENTS / 4; i++) {
      if (i > 1200) throw new Error(`only ${hits.length} deliveries after 60 s`);
      await sleep(50);
    }
    victim.kill('SIGKILL');

    for (let i = 0; (await succeededCount(ctx.db)) < EVENTS; i++) {
      if (i > 1200)
        throw new Error(`only ${await succeededCount(ctx.db)} of ${EVENTS} succeeded after 120 s`);
      await sleep(100);
    }
    expect(new Set(hits.map((h) => h.event)).size).toBe(EVENTS);
    await expectOnceEach(ctx.db, hits, EVENTS, defaultWorkerOptions(2000).perEndpointCap);
  }, 240_000);

  it('two workers keep each member’s events in order while first attempts fail', async () => {
    const MEMBERS = 150;
    const failedOnce = new Set<string>();
    const receiver = await startReceiver((q) => {
      const event = JSON.parse(q.body) as { event: string; customer: { member_id: string } };
      const member = event.customer.member_id;
      // Every other member's registration fails its first attempt.
      if (
        event.event === 'customer.registered' &&
        parseInt(member.slice(3), 16) % 2 === 0 &&
        !failedOnce.has(member)
      ) {
        failedOnce.add(member);
        return { status: 503 };
      }
      return { status: 200 };
    });
    cleanups.push(() => receiver.close());
    const { env, ctx, company } = await sharedQueue('Order', { ZUPY_RETRY_SCHEDULE: '0s,300ms,300ms' });
    await createEndpoint(ctx, company.company_id, { url: receiver.url });
    spawnWorkerWith(env);
    spawnWorkerWith(env);
    // Registrations and upgrades recorded while both workers run, each member's in one transaction.
    for (let i = 0; i < MEMBERS; i++) {
      const memberId = `ZP-${i.toString(16).toUpperCase().padStart(8, '0')}`;
      await runInTransaction(ctx.db, async (trx) => {
        const registered = sampleEvent('customer.registered', { companyId: company.company_id });
        registered.customer.member_id = memberId;
        await recordEvent(trx, registered, new Date());
        const upgraded = sampleEvent('tier.upgraded', { companyId: company.company_id });
        upgraded.customer.member_id = memberId;
        await recordEvent(trx, upgraded, new Date());
      });
    }
    for (let i = 0; (await succeededCount(ctx.db)) < 2 * MEMBERS; i++) {
      if (i > 600)
        throw new Error(`only ${await succeededCount(ctx.db)} of ${2 * MEMBERS} succeeded after 60 s`);
      await sleep(100);
    }
    expect(failedOnce.size).toBe(MEMBERS / 2);
    const seen = new Map<string, string[]>();
    for (const q of receiver.requests) {
      const event = JSON.parse(q.body) as { event: string; customer: { member_id: string } };
      const list = seen.get(event.customer.member_id) ?? [];
      list.push(event.event);
      seen.set(event.customer.member_id, list);
    }
    expect(seen.size).toBe(MEMBERS);
    for (const [member, events] of seen) {
      const expected =
        parseInt(member.slice(3), 16) % 2 === 0
          ? ['customer.registered', 'customer.registered', 'tier.upgraded']
          : ['customer.registered', 'tier.upgraded'];
      expect({ member, events }).toEqual({ member, events: expected });
    }
  }, 120_000);

  it('four workers draining one backlog to four endpoints never wait on a lock (no shared hot row)', async () => {
    const PER_ENDPOINT = 1500;
    const receiver = await startTimingReceiver();
    cleanups.push(receiver.close);
    const { env, ctx, company, databaseUrl } = await sharedQueue('Scale', {});
    for (let e = 0; e < 4; e++)
      await createEndpoint(ctx, company.company_id, { url: `${receiver.url}/e${e}` });
    for (let start = 0; start < PER_ENDPOINT; start += 500) {
      await runInTransaction(ctx.db, async (trx) => {
        for (let i = start; i < start + 500; i++) {
          const event = sampleEvent('customer.registered', { companyId: company.company_id });
          event.customer.member_id = `ZP-${i.toString(16).toUpperCase().padStart(8, '0')}`;
          await recordEvent(trx, event, new Date());
        }
      });
    }
    // Sample what every other backend of the database waits on, every few milliseconds, while four
    // worker processes drain: a lock wait is a row (or table) they serialise on. What it catches: a
    // lock held for milliseconds (a claim that also locked its endpoint's row for 3 ms failed it);
    // what it cannot: collisions of a fraction of a millisecond (claims without SKIP LOCKED passed),
    // which the single-statement claims and records keep that short anyway.
    const sampler = new pg.Client({ connectionString: databaseUrl });
    await sampler.connect();
    cleanups.push(() => sampler.end());
    const waits: string[] = [];
    let samples = 0;
    let busy = 0;
    for (let w = 0; w < 4; w++) spawnWorkerWith(env);
    for (let i = 0; (await succeededCount(ctx.db)) < 4 * PER_ENDPOINT; i++) {
      if (i > 4000)
        throw new Error(
          `only ${await succeededCount(ctx.db)} of ${4 * PER_ENDPOINT} after the sampling bound`,
        );
      const { rows } = await sampler.query<{ state: string; wait_event_type: string | null; query: string }>(
        `select state, wait_event_type, left(query, 120) as query from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
      );
      for (const r of rows) {
        samples++;
        if (r.state === 'active') busy++;
        if (r.wait_event_type === 'Lock') waits.push(r.query);
      }
      await sleep(5);
    }
    expect(new Set(receiver.hits.map((h) => h.event)).size).toBe(PER_ENDPOINT);
    // The sampling saw the workers at work (not only idle connections)…
    expect(samples).toBeGreaterThan(100);
    expect(busy).toBeGreaterThan(10);
    // …and none of them ever waiting on a lock.
    expect(waits).toEqual([]);
  }, 240_000);

  /** A fresh PostgreSQL database, a runtime on it, and a company: what the worker processes share. */
  async function sharedQueue(name: string, extraEnv: Record<string, string>) {
    const dataDir = tempDir('zupy-multi-');
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const databaseUrl = (await freshDatabaseUrl())!;
    const env = {
      ...databaseEnv(databaseUrl),
      ZUPY_DATA_DIR: dataDir,
      ZUPY_MASTER_KEY: randomBytes(32).toString('base64'),
      ZUPY_ALLOW_PRIVATE_NETWORK: '1',
      ZUPY_LOG_LEVEL: 'silent',
      ...extraEnv,
    };
    const runtime: Runtime = await startRuntime(loadConfig(env));
    cleanups.push(() => runtime.close());
    const company = await createCompany(runtime.ctx.db, { name }, new Date());
    return { env, ctx: runtime.ctx, company, databaseUrl };
  }

  function spawnWorkerWith(env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, [CLI, 'worker'], {
      env: { ...process.env, ...env, ZUPY_PORT: '0' },
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  }
});
