import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { databaseEnv, freshDatabaseUrl } from './helpers/test-database.js';
import { makeClient, tempDir } from './helpers/test-server.js';
import { runCli, startServeProcess } from './helpers/serve-process.js';

const CUSTOMERS = 8;
const UPDATES_EACH = 30;

describe('kill -9 during erasures', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('leaves each customer either fully erased (with its customer.deleted) or untouched; every answered one erased', async () => {
    const dataDir = tempDir('zupy-erase-crash-');
    dirs.push(dataDir);
    const databaseUrl = await freshDatabaseUrl();
    const env = { ...databaseEnv(databaseUrl), ZUPY_DATA_DIR: dataDir };
    const { api_key: key } = JSON.parse(
      await runCli(env, 'company', 'create', '--name', 'Crash', '--json'),
    ) as {
      api_key: string;
    };
    const first = await startServeProcess(env);
    const api = makeClient(first.url, key);
    // Each customer has many events, so each erasure scrubs many rows: the kill lands inside some.
    const ids: string[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const res = await api.post('/api/v2/customers/', {
        phone: `+5511987${String(650000 + i)}`,
        name: `Pessoa ${i}`,
      });
      ids.push(res.body.customer.member_id as string);
      for (let u = 0; u < UPDATES_EACH; u++)
        await api.request('PATCH', `/api/v2/customers/${ids[i]}/`, { name: `Pessoa ${i} versão ${u}` });
    }
    const answered = new Set<string>();
    const deletes = ids.map(async (id) => {
      try {
        const res = await api.request('DELETE', `/api/v2/customers/${id}/`);
        if (res.status === 200) answered.add(id);
      } catch {
        // died with the process
      }
    });
    // Killed as soon as the first erasure is answered: the others are queued or mid-transaction.
    while (answered.size === 0) await new Promise((r) => setTimeout(r, 1));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    await Promise.all(deletes);

    const database = openDatabase({ dataDir, databaseUrl });
    try {
      const states: string[] = [];
      for (const id of ids) {
        const customer = await database.db
          .selectFrom('customers')
          .select(['name', 'erased_at'])
          .where('member_id', '=', id)
          .executeTakeFirstOrThrow();
        const events = await database.db
          .selectFrom('events')
          .select(['type', 'body', 'erased_at'])
          .where('member_id', '=', id)
          .execute();
        const deleted = events.filter((e) => e.type === 'customer.deleted');
        const others = events.filter((e) => e.type !== 'customer.deleted');
        expect(others).toHaveLength(1 + UPDATES_EACH);
        if (customer.erased_at !== null) {
          states.push('erased');
          expect(customer.name).toBe('');
          expect(deleted).toHaveLength(1);
          for (const e of others) {
            expect(e.erased_at).not.toBeNull();
            expect(e.body).not.toContain('Pessoa');
          }
        } else {
          states.push('untouched');
          expect(answered.has(id), `${id} was answered, yet not erased`).toBe(false);
          expect(customer.name).toBe(`Pessoa ${ids.indexOf(id)} versão ${UPDATES_EACH - 1}`);
          expect(deleted).toHaveLength(0);
          for (const e of others) {
            expect(e.erased_at).toBeNull();
            expect(e.body).toContain('Pessoa');
          }
        }
      }
      expect(states.filter((s) => s === 'erased').length).toBeGreaterThanOrEqual(answered.size);
      // Logged for whoever wonders where the kill landed.
      console.log(`erasures: ${answered.size} answered; after the kill ${states.join(' ')}`);
    } finally {
      await database.close();
    }
  }, 120_000);
});
