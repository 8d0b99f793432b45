import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { startReceiver } from './helpers/receiver.js';
import { CLI, runCli, startServeProcess } from './helpers/serve-process.js';
import { onPostgres } from './helpers/test-database.js';
import { makeClient, tempDir } from './helpers/test-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One SQLite file, several writing processes: `zupy serve` takes registrations and delivers while
 * `zupy import` and `zupy apikey create` write beside it. Nobody gets SQLITE_BUSY, a 5xx or a lost row.
 */
describe.skipIf(onPostgres)('SQLite shared by concurrent writer processes', () => {
  const dataDir = tempDir('zupy-writers-');
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('serve, import and the CLI write at once: every request succeeds and every event is delivered', async () => {
    const env = {
      ZUPY_DATA_DIR: dataDir,
      ZUPY_ALLOW_PRIVATE_NETWORK: '1',
      ZUPY_RETRY_SCHEDULE: '0s,200ms,200ms',
    };
    const receiver = await startReceiver();
    await runCli(env, 'company', 'create', '--name', 'Writers', '--id', 'comp_writers');
    const key = (
      JSON.parse(await runCli(env, 'apikey', 'create', '--company', 'comp_writers', '--json')) as {
        api_key: string;
      }
    ).api_key;
    const serve = await startServeProcess(env);
    try {
      const api = makeClient(serve.url, key);
      expect((await api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).status).toBe(201);

      const IMPORTED = 3000;
      const csv = path.join(dataDir, 'clientes.csv');
      const rows = Array.from({ length: IMPORTED }, (_, i) => `Import ${i},+55219${String(80_000_000 + i)}`);
      fs.writeFileSync(csv, ['nome,telefone', ...rows].join('\n'));
      const importing = promisify(execFile)(
        process.execPath,
        [CLI, 'import', csv, '--company', 'comp_writers', '--json'],
        { env: { ...process.env, ...env } },
      );
      let importDone = false;
      void importing.finally(() => (importDone = true)).catch(() => undefined);

      // Four API clients and a CLI loop write while the import runs.
      let registered = 0;
      const statuses: number[] = [];
      const client = async (n: number) => {
        for (let i = 0; i < 60 && !(importDone && i > 5); i++) {
          const res = await api.post('/api/v2/customers/', {
            phone: `+55119${String(60_000_000 + n * 1000 + i)}`,
            name: `Api ${n}-${i}`,
          });
          statuses.push(res.status);
          if (res.status === 201) registered++;
        }
      };
      const keys = async () => {
        for (let i = 0; i < 10; i++) await runCli(env, 'apikey', 'create', '--company', 'comp_writers');
      };
      await Promise.all([client(0), client(1), client(2), client(3), keys()]);
      const report = JSON.parse((await importing).stdout) as { created: number; rejected: number };

      expect(statuses.filter((s) => s !== 201)).toEqual([]);
      expect(report).toMatchObject({ created: IMPORTED, rejected: 0 });

      const database = openDatabase({ dataDir, databaseUrl: undefined });
      try {
        const count = async (table: 'customers' | 'events' | 'api_keys') =>
          Number(
            (
              await database.db
                .selectFrom(table)
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          );
        expect(await count('customers')).toBe(IMPORTED + registered);
        expect(await count('events')).toBe(IMPORTED + registered);
        expect(await count('api_keys')).toBe(12);
      } finally {
        await database.close();
      }

      // The worker in `zupy serve` delivers the imported customers' events as well as its own.
      const deadline = Date.now() + 60_000;
      while (receiver.requests.length < IMPORTED + registered) {
        if (Date.now() > deadline)
          throw new Error(`${receiver.requests.length} of ${IMPORTED + registered} delivered`);
        await sleep(200);
      }
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
      await receiver.close();
    }
  }, 120_000);
});
