import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { dumpDatabase } from './helpers/dump-database.js';
import { startReceiver } from './helpers/receiver.js';
import { runCli, startServeProcess } from './helpers/serve-process.js';
import { databaseEnv, freshDatabaseUrl } from './helpers/test-database.js';
import { makeClient, tempDir, type ApiResponse } from './helpers/test-server.js';

/**
 * Secrets and API keys never appear where operators and integrators look: the server's logs (at the
 * most verbose level), error answers, delivery records and the rest of the database.
 */
describe('secrets and keys stay out of logs, errors and delivery records', () => {
  const dataDir = tempDir('zupy-leaks-');
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('after a session that reveals, rotates, fails and retries, nothing secret is written anywhere', async () => {
    const databaseUrl = await freshDatabaseUrl();
    const masterKey = randomBytes(32).toString('base64');
    const env = {
      ...databaseEnv(databaseUrl),
      ZUPY_DATA_DIR: dataDir,
      ZUPY_MASTER_KEY: masterKey,
      ZUPY_ALLOW_PRIVATE_NETWORK: '1',
      ZUPY_RETRY_SCHEDULE: '0s,100ms',
      ZUPY_LOG_LEVEL: 'trace',
    };
    const { api_key: key } = JSON.parse(
      await runCli(env, 'company', 'create', '--name', 'Leaks', '--json'),
    ) as { api_key: string };
    const failing = await startReceiver(() => ({ status: 500, body: 'boom' }));
    const healthy = await startReceiver();
    const serve = await startServeProcess(env);
    const answers: ApiResponse[] = [];
    const secrets = new Set<string>();
    try {
      const api = makeClient(serve.url, key);
      const call = async (res: Promise<ApiResponse>) => {
        const answer = await res;
        answers.push(answer);
        return answer;
      };
      // Creating, revealing and rotating answer with the secret by design; every other answer must not.
      const a = await api.post('/api/v2/webhooks/endpoints/', { url: failing.url });
      const b = await api.post('/api/v2/webhooks/endpoints/', { url: healthy.url });
      secrets.add(a.body.secret as string).add(b.body.secret as string);
      secrets.add((await api.get(`/api/v2/webhooks/endpoints/${a.body.id}/secret/`)).body.secret as string);
      const rotated = await api.post(`/api/v2/webhooks/endpoints/${b.body.id}/secret/rotate/`, {});
      secrets.add(rotated.body.secret as string);
      await call(api.post(`/api/v2/webhooks/endpoints/${a.body.id}/test/`, { event: 'tier.upgraded' }));
      await call(api.post('/api/v2/customers/', { phone: '11 98888-1234', name: 'Ana' }));
      await call(api.post('/api/v2/customers/', { phone: 'not a phone', name: '' }));
      // A wrong key, a key with one character changed, a key in the wrong header.
      await call(
        makeClient(serve.url, key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a')).get('/api/v2/me/'),
      );
      await call(makeClient(serve.url, 'zupy_pk_' + 'x'.repeat(32)).get('/api/v2/customers/'));
      const res = await fetch(`${serve.url}/api/v2/me/`, { headers: { 'x-api-key': key } });
      answers.push({ status: res.status, body: undefined, text: await res.text(), headers: res.headers });
      await healthy.waitFor(1);
      await failing.waitFor(3);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
      await failing.close();
      await healthy.close();
    }

    const log = serve.output();
    expect(log.length).toBeGreaterThan(1000); // trace level really logged the session
    const database = openDatabase({ dataDir, databaseUrl });
    const stored = await dumpDatabase(database.db);
    await database.close();
    const attempts = [...failing.requests, ...healthy.requests].map((r) => JSON.stringify(r.headers)).join();

    const forbidden = [
      key,
      key.slice('zupy_pk_'.length),
      masterKey,
      ...secrets,
      ...[...secrets].map((s) => s.slice(6)),
    ];
    expect(secrets.size).toBe(3);
    for (const secret of forbidden) {
      expect(log, 'server log').not.toContain(secret);
      expect(stored, 'database').not.toContain(secret);
      expect(attempts, 'request headers sent to receivers').not.toContain(secret);
      for (const answer of answers) expect(answer.text, `answer ${answer.status}`).not.toContain(secret);
    }
  });
});
