import fs from 'node:fs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { databaseEnv, freshDatabaseUrl } from './helpers/test-database.js';
import { makeClient, tempDir, type ApiClient } from './helpers/test-server.js';
import { runCli, startServeProcess, type ServeProcess } from './helpers/serve-process.js';
import { waitUntil } from './helpers/wait-until.js';

/** Five sales of new customers per body; `b` numbers the body. */
const body = (b: number) =>
  JSON.stringify(
    Array.from({ length: 5 }, (_, i) => ({
      cliente: `Cliente ${b}-${i}`,
      Celular: `11 9${String(7000_0000 + b * 10 + i)}`,
      Valor: '12,34',
      id_venda: `B${b}-${i}`,
      DataVenda: '2025-08-29 12:00',
    })),
  );

describe('a partner body answered 202 is processed exactly once, whatever crashes', () => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  const dirs: string[] = [];
  beforeEach(async () => {
    dataDir = tempDir('zupy-inbox-crash-');
    dirs.push(dataDir);
    databaseUrl = await freshDatabaseUrl();
  });
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  const env = () => ({ ...databaseEnv(databaseUrl), ZUPY_DATA_DIR: dataDir });

  async function kill(process: ServeProcess) {
    process.child.kill('SIGKILL');
    expect(await process.exited).toBe('SIGKILL');
  }

  async function allProcessed(api: ApiClient, ids: string[]) {
    await waitUntil(async () => {
      const entries = (await api.get('/api/v2/webhooks/integrations/inbox/?page_size=100')).body.data as {
        id: string;
        status: string;
      }[];
      const done = new Set(entries.filter((e) => e.status === 'processed').map((e) => e.id));
      return ids.every((id) => done.has(id)) ? true : undefined;
    }, 45_000);
  }

  /** What the database holds: every order once, one credit and one points.earned each. */
  async function audit() {
    const database = openDatabase({ dataDir, databaseUrl });
    try {
      const inbox = await database.db
        .selectFrom('partner_inbox')
        .select(['id', 'processed_at', 'outcomes'])
        .execute();
      const orders = await database.db.selectFrom('orders').select('order_id').execute();
      const credits = await database.db
        .selectFrom('ledger_entries')
        .select('reason')
        .where('operation', '=', 'order')
        .execute();
      const earned = await database.db
        .selectFrom('events')
        .select('id')
        .where('type', '=', 'points.earned')
        .execute();
      const registered = await database.db
        .selectFrom('events')
        .select('id')
        .where('type', '=', 'customer.registered')
        .execute();
      return { inbox, orders: orders.map((o) => o.order_id).sort(), credits, earned, registered };
    } finally {
      await database.close();
    }
  }

  it('kill -9 between the 202 and the processing, then a restart; then kill -9 under a burst of bodies', async () => {
    const { api_key: key } = JSON.parse(
      await runCli(env(), 'company', 'create', '--name', 'Inbox Crash', '--json'),
    ) as { api_key: string };

    // No worker: the bodies are answered and stored, nothing processes them; then the process dies.
    const first = await startServeProcess(env(), ['serve', '--no-worker']);
    const accepted: string[] = [];
    for (let b = 0; b < 4; b++) {
      const res = await makeClient(first.url, key).post('/api/v2/webhooks/integrations/repediu/', body(b));
      expect(res.status).toBe(202);
      accepted.push(res.body.id);
    }
    await kill(first);
    const stored = await audit();
    expect(stored.inbox.map((r) => r.processed_at)).toEqual([null, null, null, null]);
    expect(stored.orders).toEqual([]);

    // Restarted with its worker: every stored body is processed, once.
    const second = await startServeProcess(env());
    const api = makeClient(second.url, key);
    await allProcessed(api, accepted);

    // Now a burst of bodies while the worker processes them, and a kill -9 in the middle of it.
    let next = 4;
    let killed = false;
    const clients = Array.from({ length: 4 }, async () => {
      while (!killed && next < 200) {
        const b = next++;
        try {
          const res = await api.post('/api/v2/webhooks/integrations/repediu/', body(b));
          if (res.status !== 202) throw new Error(`unexpected ${res.status}`);
          accepted.push(res.body.id);
        } catch (error) {
          if (!killed) throw error;
        }
      }
    });
    await waitUntil(() => (accepted.length >= 30 ? true : undefined), 30_000);
    killed = true;
    await kill(second);
    await Promise.all(clients);

    const third = await startServeProcess(env());
    try {
      await allProcessed(makeClient(third.url, key), accepted);
      // A body the killed process had claimed waits for its lease (10 s) to end, then is processed.
      await waitUntil(async () => {
        const { inbox } = await audit();
        return inbox.every((r) => r.processed_at !== null) ? true : undefined;
      }, 45_000);
      const { inbox, orders, credits, earned, registered } = await audit();
      // Bodies sent as the process died may have been stored without an answer: processed too.
      expect(inbox.every((r) => r.processed_at !== null)).toBe(true);
      const outcomes = inbox.flatMap(
        (r) => JSON.parse(r.outcomes!) as { outcome: string; order_id: string }[],
      );
      expect(outcomes.every((o) => o.outcome === 'credited')).toBe(true);
      expect(outcomes).toHaveLength(inbox.length * 5);
      expect(orders).toEqual(outcomes.map((o) => o.order_id).sort());
      expect(new Set(orders).size).toBe(orders.length);
      expect(credits).toHaveLength(orders.length);
      expect(earned).toHaveLength(orders.length);
      expect(registered).toHaveLength(orders.length);
      expect(inbox.length).toBeGreaterThanOrEqual(accepted.length);
    } finally {
      third.child.kill('SIGTERM');
      await third.exited;
    }
  });
});
