import fs from 'node:fs';
import { sql } from 'kysely';
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
      await receiver.waitForMembers(accepted);
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

  it('kill -9 during a burst of registrations: every answered registration is kept and delivered, nothing half-written', async () => {
    const { api_key: key } = JSON.parse(
      await runCli(env(), 'company', 'create', '--name', 'Burst', '--json'),
    ) as { api_key: string };
    const first = await startServeProcess(env());
    const api = makeClient(first.url, key);
    expect((await api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).status).toBe(201);
    gate = Promise.resolve();

    // Eight clients register as fast as they can; the process is killed under them.
    const accepted = new Map<string, string>(); // phone → member id, for every 201 received
    const unanswered: string[] = [];
    let next = 0;
    let killed = false;
    const client = async () => {
      while (!killed && next < 2000) {
        const phone = `+55119${String(7_000_0000 + next++)}`;
        try {
          const res = await api.post('/api/v2/customers/', { phone, name: `Burst ${phone}` });
          if (res.status === 201) accepted.set(phone, res.body.customer.member_id as string);
          else throw new Error(`unexpected ${res.status}`);
        } catch (error) {
          if (!killed) throw error;
          unanswered.push(phone);
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    while (accepted.size < 150) await sleep(10);
    killed = true;
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    await Promise.all(clients);

    const second = await startServeProcess(env());
    try {
      const again = makeClient(second.url, key);
      // A client whose request died with the process retries it: it is enrolled exactly once.
      for (const phone of unanswered) {
        const res = await again.post('/api/v2/customers/', { phone, name: `Burst ${phone}` });
        expect([200, 201]).toContain(res.status);
        accepted.set(phone, res.body.customer.member_id as string);
      }
      await receiver.waitForMembers(accepted.values());
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }

    // Nothing half-written: one customer and one customer.registered event per enrolled phone.
    const database = openDatabase({ dataDir, databaseUrl });
    try {
      const customers = await database.db.selectFrom('customers').select('member_id').execute();
      const events = await database.db
        .selectFrom('events')
        .select('body')
        .where('type', '=', 'customer.registered')
        .execute();
      const memberIds = customers.map((c) => c.member_id).sort();
      expect(memberIds).toEqual([...accepted.values()].sort());
      expect(
        events
          .map((e) => (JSON.parse(e.body) as { customer: { member_id: string } }).customer.member_id)
          .sort(),
      ).toEqual(memberIds);
      if (!databaseUrl) {
        const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(database.db);
        expect(check.rows).toEqual([{ integrity_check: 'ok' }]);
      }
    } finally {
      await database.close();
    }
  });

  it('kill -9 during a re-enable: the held deliveries are neither lost nor doubled', async () => {
    gate = Promise.resolve();
    const { api_key: key } = JSON.parse(
      await runCli(env(), 'company', 'create', '--name', 'Reenable', '--json'),
    ) as { api_key: string };
    const first = await startServeProcess(env());
    const api = makeClient(first.url, key);
    const ep = (await api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).body as { id: string };
    await api.request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, { enabled: false });
    const held: string[] = [];
    for (let i = 0; i < 80; i++) {
      const res = await api.post('/api/v2/customers/', {
        phone: `11 98124-${String(i).padStart(4, '0')}`,
        name: `R${i}`,
      });
      held.push(res.body.customer.member_id);
    }
    const before = receiver.requests.length;
    // The re-enable and the kill race: whichever wins, nothing is lost or doubled.
    const reenabling = api
      .request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, { enabled: true })
      .catch(() => undefined);
    await sleep(5 + Math.random() * 20);
    first.child.kill('SIGKILL');
    await first.exited;
    await reenabling;

    const second = await startServeProcess(env());
    try {
      const client = makeClient(second.url, key);
      if ((await client.get(`/api/v2/webhooks/endpoints/${ep.id}/`)).body.enabled === false)
        await client.request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, { enabled: true });
      await receiver.waitForMembers(held);
      const deadline = Date.now() + 30_000;
      let succeeded = 0;
      while (succeeded < held.length) {
        if (Date.now() > deadline) throw new Error(`${succeeded} of ${held.length} succeeded`);
        await sleep(200);
        const page = await client.get(
          `/api/v2/webhooks/deliveries/?endpoint_id=${ep.id}&status=succeeded&page_size=100`,
        );
        succeeded = page.body.data.length;
      }
      // One delivery per event, each succeeded once; the receiver may have seen a delivery twice
      // (at least once) but never an event that was not held.
      expect(succeeded).toBe(held.length);
      const members = new Set(
        receiver.requests
          .slice(before)
          .map((r) => (JSON.parse(r.body) as { customer: { member_id: string } }).customer.member_id),
      );
      expect(members).toEqual(new Set(held));
    } finally {
      second.child.kill('SIGKILL');
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
