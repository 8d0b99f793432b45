import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { sampleEvent } from '@zupy/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { createCompany } from '../src/companies/create-company.js';
import { loadConfig } from '../src/config.js';
import { runInTransaction } from '../src/db/transaction.js';
import { defaultWorkerOptions } from '../src/delivery/delivery-worker.js';
import { recordEvent } from '../src/events/record-event.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { createEndpoint } from '../src/webhooks/endpoint-store.js';
import { expectOnceEach, startTimingReceiver, succeededCount } from './helpers/delivery-audit.js';
import { CLI } from './helpers/serve-process.js';
import { onPostgres } from './helpers/test-database.js';
import { tempDir } from './helpers/test-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Worker {
  child: ChildProcess;
  log: () => string;
  exited: Promise<void>;
}

async function until(what: string, condition: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * On SQLite one process sends (it holds the delivery lock instead of a lease per delivery); the others
 * stand by and take over when it stops or dies — at once when its pid is gone, not after the expiry.
 */
describe.skipIf(onPostgres)('zupy worker processes on one SQLite database', () => {
  const workers: Worker[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const { child } of workers) child.kill('SIGKILL');
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('one sends, one stands by; it takes over from a killed holder at once and from a stopped one, every event delivered once', async () => {
    const receiver = await startTimingReceiver();
    cleanups.push(receiver.close);
    const { url, hits } = receiver;

    const dataDir = tempDir('zupy-lock-');
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const env = {
      ZUPY_DATA_DIR: dataDir,
      ZUPY_MASTER_KEY: randomBytes(32).toString('base64'),
      ZUPY_ALLOW_PRIVATE_NETWORK: '1',
      ZUPY_DELIVERY_TIMEOUT: '2s',
      ZUPY_LOG_LEVEL: 'info',
    };
    const runtime: Runtime = await startRuntime(loadConfig({ ...env, ZUPY_LOG_LEVEL: 'silent' }));
    cleanups.push(() => runtime.close());
    const { ctx } = runtime;
    const company = await createCompany(ctx.db, { name: 'Lock' }, new Date());
    await createEndpoint(ctx, company.company_id, { url });
    // Each event about a member of its own: one member's events would be sent one after another.
    let members = 0;
    const record = async (n: number) => {
      await runInTransaction(ctx.db, async (trx) => {
        for (let i = 0; i < n; i++) {
          const event = sampleEvent('customer.registered', { companyId: company.company_id });
          event.customer.member_id = `ZP-${(members++).toString(16).toUpperCase().padStart(8, '0')}`;
          await recordEvent(trx, event, new Date());
        }
      });
    };
    await record(1500);

    const startWorker = (): Worker => {
      const child = spawn(process.execPath, [CLI, 'worker'], {
        env: { ...process.env, ...env, ZUPY_PORT: '0' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const worker = { child, log: () => out, exited };
      workers.push(worker);
      return worker;
    };
    const sending = (w: Worker) => w.log().includes('"msg":"sending webhooks"');
    const standingBy = (w: Worker) => w.log().includes('standing by to take over');
    const lockRow = () => ctx.db.selectFrom('worker_locks').selectAll().executeTakeFirstOrThrow();

    const a = startWorker();
    await until('the first worker to send', () => sending(a));
    const b = startWorker();
    await until('the second worker to stand by', () => standingBy(b));
    expect(sending(b)).toBe(false);
    expect((await lockRow()).holder).toContain(` ${a.child.pid} `);

    // kill -9 the sender mid-run: the other sees its pid gone and takes over before the lock expires.
    await until('a third of the deliveries', () => hits.length >= 500);
    const expiry = Date.parse((await lockRow()).expires_at);
    a.child.kill('SIGKILL');
    await a.exited;
    await until('the standby to send', () => sending(b));
    expect(Date.now()).toBeLessThan(expiry);
    expect((await lockRow()).holder).toContain(` ${b.child.pid} `);

    // A graceful stop hands the lock over too.
    const c = startWorker();
    await until('the third worker to stand by', () => standingBy(c));
    b.child.kill('SIGTERM');
    await b.exited;
    await until('the third worker to send', () => sending(c));
    await record(300);

    await until('every delivery to succeed', async () => (await succeededCount(ctx.db)) === 1800, 120_000);
    await expectOnceEach(ctx.db, hits, 1800, defaultWorkerOptions(2000).perEndpointCap);
  }, 180_000);
});
