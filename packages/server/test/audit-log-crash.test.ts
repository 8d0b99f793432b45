import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { databaseEnv, freshDatabaseUrl } from './helpers/test-database.js';
import { makeClient, tempDir } from './helpers/test-server.js';
import { runCli, startServeProcess } from './helpers/serve-process.js';
import { waitUntil } from './helpers/wait-until.js';

const LANES = 8;

describe('kill -9 during writes', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every committed change has its audit entry after a restart, every answered one with its status, and the chain holds', async () => {
    const dataDir = tempDir('zupy-audit-crash-');
    dirs.push(dataDir);
    const databaseUrl = await freshDatabaseUrl();
    const env = { ...databaseEnv(databaseUrl), ZUPY_DATA_DIR: dataDir };
    const { api_key: key, company_id: companyId } = JSON.parse(
      await runCli(env, 'company', 'create', '--name', 'Crash', '--json'),
    ) as { api_key: string; company_id: string };
    const first = await startServeProcess(env, ['serve', '--no-worker']);
    const api = makeClient(first.url, key);
    const answered = new Map<string, number>();
    let stop = false;
    const lane = async (n: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await api.post('/api/v2/customers/', {
            phone: `+55119${n}${String(1000000 + i)}`,
            name: `Pessoa ${n} ${i}`,
          });
          if (res.status === 201) answered.set(res.body.customer.member_id as string, res.status);
        } catch {
          return; // died with the process
        }
      }
    };
    const lanes = Array.from({ length: LANES }, (_, n) => lane(n));
    // Killed mid-stream: some registrations committed and not answered, some mid-transaction.
    await waitUntil(() => (answered.size >= 30 ? true : undefined));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    stop = true;
    await Promise.all(lanes);

    const database = openDatabase({ dataDir, databaseUrl });
    const second = await startServeProcess(env, ['serve', '--no-worker']);
    try {
      const customers = (
        await database.db
          .selectFrom('customers')
          .select('member_id')
          .where('company_id', '=', companyId)
          .execute()
      ).map((c) => c.member_id);
      expect(customers.length).toBeGreaterThanOrEqual(answered.size);
      // The restarted process chains what the killed one left pending.
      await waitUntil(
        async () =>
          (await database.db.selectFrom('audit_pending').select('id').execute()).length === 0
            ? true
            : undefined,
        30_000,
      );
      const entries = await database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('company_id', '=', companyId)
        .where('action', '=', 'POST /customers/')
        .execute();
      const byTarget = new Map(entries.map((e) => [e.target_id, e]));
      expect(entries).toHaveLength(customers.length);
      for (const memberId of customers) {
        const entry = byTarget.get(memberId);
        expect(entry, `${memberId} was registered, yet has no audit entry`).toBeDefined();
        if (answered.has(memberId)) expect(Number(entry!.status)).toBe(201);
      }
      const unanswered = entries.filter((e) => e.status === null).length;
      const verify = (await makeClient(second.url, key).get('/api/v2/audit-log/verify/')).body;
      expect(verify).toMatchObject({ ok: true, broken_at: null });
      // Logged for whoever wonders where the kill landed.
      console.log(
        `registrations: ${answered.size} answered, ${customers.length} committed; ${unanswered} entries chained after the restart`,
      );
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
      await database.close();
    }
  }, 120_000);
});
