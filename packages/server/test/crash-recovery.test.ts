import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { databaseEnv, freshDatabaseUrl } from './helpers/test-database.js';
import { makeClient, tempDir } from './helpers/test-server.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { runCli, startServeProcess } from './helpers/serve-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a crash at any instant loses no accepted event', () => {
  let dataDir: string;
  let receiver: Receiver;
  const dirs: string[] = [];
  beforeEach(async () => {
    dataDir = tempDir('zupy-crash-');
    dirs.push(dataDir);
    databaseUrl = await freshDatabaseUrl();
  });
  // The first ten requests are answered at once; the rest are held until the gate opens, so the
  // kill always lands while deliveries are in flight, however fast or slow the machine is.
  let openGate: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  beforeAll(async () => {
    receiver = await startReceiver(async (_request, index) => {
      if (index >= 10) await gate;
      return { status: 200 };
    });
  });
  afterAll(async () => {
    await receiver.close();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  let databaseUrl: string | undefined;
  const env = () => ({
    ...databaseEnv(databaseUrl),
    ZUPY_DATA_DIR: dataDir,
    ZUPY_ALLOW_PRIVATE_NETWORK: '1',
    ZUPY_DELIVERY_TIMEOUT: '1s',
    ZUPY_RETRY_SCHEDULE: '0s,200ms,200ms,200ms,200ms',
  });

  it('kill -9 of the server while deliveries are in flight, then a restart: every event arrives', async () => {
    const { api_key: key } = JSON.parse(
      await runCli(env(), 'company', 'create', '--name', 'Crash Test', '--json'),
    ) as {
      api_key: string;
    };
    gate = new Promise<void>((resolve) => (openGate = resolve));
    const first = await startServeProcess(env());
    const api = makeClient(first.url, key);
    expect((await api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).status).toBe(201);
    const accepted: string[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await api.post('/api/v2/customers/', {
        phone: `11 98123-${String(i).padStart(4, '0')}`,
        name: `K${i}`,
      });
      expect(res.status).toBe(201);
      accepted.push(res.body.customer.member_id);
    }
    await receiver.waitFor(15);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    // Requests held at the gate were never acknowledged: the killed process cannot have recorded them.
    openGate();

    const second = await startServeProcess(env());
    try {
      const deadline = Date.now() + 30_000;
      const seen = () =>
        new Set(receiver.requests.map((r) => JSON.parse(r.body).customer.member_id as string));
      while (accepted.some((id) => !seen().has(id))) {
        if (Date.now() > deadline)
          throw new Error(`missing ${accepted.filter((id) => !seen().has(id)).length} events`);
        await sleep(100);
      }
      // Deliveries the killed process had in flight are claimed again once its leases expire.
      const client = makeClient(second.url, key);
      while ((await client.get('/api/v2/webhooks/deliveries/?status=pending')).body.data.length > 0) {
        if (Date.now() > deadline) throw new Error('deliveries still pending');
        await sleep(200);
      }
      const succeeded = await client.get('/api/v2/webhooks/deliveries/?status=succeeded&page_size=100');
      expect(succeeded.body.data).toHaveLength(60);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('SIGTERM lets the in-flight delivery end, exits 0 and leaves no delivery leased', async () => {
    const hanging = await startReceiver(() => 'hang');
    try {
      const { api_key: key } = JSON.parse(
        await runCli(env(), 'company', 'create', '--name', 'Graceful', '--json'),
      ) as {
        api_key: string;
      };
      const proc = await startServeProcess({ ...env(), ZUPY_DELIVERY_TIMEOUT: '30s' });
      const api = makeClient(proc.url, key);
      await api.post('/api/v2/webhooks/endpoints/', { url: hanging.url });
      await api.post('/api/v2/customers/', { phone: '11 98999-0000', name: 'Graceful' });
      await hanging.waitFor(1);
      proc.child.kill('SIGTERM');
      // The grace period is the delivery timeout; closing the receiver ends the request sooner.
      await sleep(200);
      await hanging.close();
      expect(await proc.exited).toBe(0);
      const database = openDatabase({ dataDir, databaseUrl });
      const leased = await database.db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('lease_expires_at', 'is not', null)
        .executeTakeFirstOrThrow();
      await database.close();
      expect(Number(leased.n)).toBe(0);
    } finally {
      await hanging.close().catch(() => undefined);
    }
  });
});
