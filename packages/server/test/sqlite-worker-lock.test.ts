import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sampleEvent } from '@zupy/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { createCompany } from '../src/companies/create-company.js';
import { loadConfig } from '../src/config.js';
import { runInTransaction } from '../src/db/transaction.js';
import { defaultWorkerOptions } from '../src/delivery/delivery-worker.js';
import { recordEvent } from '../src/events/record-event.js';
import { startRuntime, type Runtime } from '../src/runtime.js';
import { createEndpoint } from '../src/webhooks/endpoint-store.js';
import { CLI } from './helpers/serve-process.js';
import { onPostgres } from './helpers/test-database.js';
import { tempDir } from './helpers/test-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Hit {
  delivery: string;
  start: number;
  end: number;
}

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
    const hits: Hit[] = [];
    const receiver = http.createServer((req, res) => {
      const start = performance.now();
      req.resume();
      req.on('end', () => {
        setTimeout(() => {
          hits.push({ delivery: String(req.headers['x-zupy-delivery']), start, end: performance.now() });
          res.writeHead(200).end('ok');
        }, 5);
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => receiver.close(() => r())));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;

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
    const record = async (n: number) => {
      await runInTransaction(ctx.db, async (trx) => {
        for (let i = 0; i < n; i++) {
          await recordEvent(
            trx,
            ctx.dialect,
            sampleEvent('customer.registered', { companyId: company.company_id }),
            new Date(),
          );
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

    const succeeded = async () =>
      Number(
        (
          await ctx.db
            .selectFrom('deliveries')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '=', 'succeeded')
            .executeTakeFirstOrThrow()
        ).n,
      );
    await until('every delivery to succeed', async () => (await succeeded()) === 1800, 120_000);

    // One successful attempt on record per delivery; a delivery the killed worker had in flight may
    // have arrived twice, never two at once.
    const perDelivery = await ctx.db
      .selectFrom('delivery_attempts')
      .select(['delivery_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('response_status', '=', 200)
      .groupBy('delivery_id')
      .execute();
    expect(perDelivery).toHaveLength(1800);
    expect(perDelivery.filter((row) => Number(row.n) !== 1)).toEqual([]);
    const byDelivery = new Map<string, Hit[]>();
    for (const hit of hits) byDelivery.set(hit.delivery, [...(byDelivery.get(hit.delivery) ?? []), hit]);
    expect(byDelivery.size).toBe(1800);
    const overlapping = [...byDelivery.values()].filter((list) =>
      list.sort((x, y) => x.start - y.start).some((hit, i) => i > 0 && hit.start < list[i - 1]!.end),
    );
    expect(overlapping).toEqual([]);
    const duplicates = [...byDelivery.values()].filter((list) => list.length > 1).length;
    expect(duplicates).toBeLessThanOrEqual(defaultWorkerOptions(2000).perEndpointCap);
  }, 180_000);
});
