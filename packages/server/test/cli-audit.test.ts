import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { CLI, runCli } from './helpers/serve-process.js';
import { databaseEnv } from './helpers/test-database.js';
import { makeClient, startTestServer, tempDir, type TestServer } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * Every `zupy` command that changes data writes an audit entry (`actor: cli`, no key, no address,
 * no status), in the transaction of its change, to the log of the company it changed; read back
 * through the API. The commands run as real processes on the server's database (the local data dir,
 * or the PostgreSQL database).
 */
describe('the CLI’s writes are in the audit log', () => {
  let server: TestServer;
  let receiver: Receiver;
  let env: Record<string, string>;
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    env = {
      ZUPY_DATA_DIR: server.dataDir,
      ZUPY_LOG_LEVEL: 'silent',
      ZUPY_ALLOW_PRIVATE_NETWORK: '1',
      ...databaseEnv(server.databaseUrl),
    };
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  const zupy = (...args: string[]) => runCli(env, ...args);
  /** The company's entries newer than `since` (a seq), oldest first. */
  const entriesAfter = async (since: number, api = server.api) =>
    ((await api.get('/api/v2/audit-log/?page_size=100')).body.data as any[])
      .filter((e) => e.seq > since)
      .reverse();
  const lastSeq = async (api = server.api) =>
    ((await api.get('/api/v2/audit-log/')).body.data[0]?.seq as number | undefined) ?? 0;
  const cliEntry = (action: string, target: string | null) => ({
    actor: 'cli',
    key_prefix: null,
    address: null,
    status: null,
    action,
    target_id: target,
  });

  it('company create, apikey create and apikey revoke: in the company’s own log', async () => {
    const created = JSON.parse(await zupy('company', 'create', '--name', 'Cantina Audit', '--json'));
    const key = JSON.parse(await zupy('apikey', 'create', '--company', created.company_id, '--json')).api_key;
    await zupy('apikey', 'revoke', key.slice(0, 14));
    const api = makeClient(server.url, created.api_key);
    expect(await entriesAfter(0, api)).toMatchObject([
      cliEntry('cli company create', created.company_id),
      cliEntry('cli apikey create', created.company_id),
      cliEntry('cli apikey revoke', null),
    ]);
    // None of it in the first company's log.
    const mine = (await server.api.get('/api/v2/audit-log/?page_size=100')).body.data as any[];
    expect(mine.some((e) => e.action === 'cli company create')).toBe(false);
  });

  it('endpoint create and delete, and trigger --endpoint, on the local data dir', async () => {
    const since = await lastSeq();
    const created = JSON.parse(
      await zupy('endpoint', 'create', '--url', receiver.url, '--company', server.companyId, '--json'),
    );
    await zupy('trigger', 'customer.registered', '--endpoint', created.id, '--company', server.companyId);
    await zupy('endpoint', 'delete', created.id, '--company', server.companyId);
    expect(await entriesAfter(since)).toMatchObject([
      cliEntry('cli endpoint create', created.id),
      cliEntry('cli trigger', created.id),
      cliEntry('cli endpoint delete', created.id),
    ]);
  });

  it('listen on the local data dir: its temporary endpoint’s creation and removal', async () => {
    const since = await lastSeq();
    const child = spawn(process.execPath, [CLI, 'listen', '--port', '0', '--company', server.companyId], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitUntil(() =>
      /Listening for Zupy webhooks/.test(err) || child.exitCode !== null ? true : undefined,
    );
    const endpointId = /temporary endpoint (ep_\S+)/.exec(err)?.[1];
    expect(endpointId, err).toBeDefined();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await entriesAfter(since)).toMatchObject([
      cliEntry('cli endpoint create', endpointId!),
      cliEntry('cli endpoint delete', endpointId!),
    ]);
  });

  it('import and replay; no personal data from the file in the log', async () => {
    const dir = tempDir('zupy-cli-audit-');
    dirs.push(dir);
    const file = path.join(dir, 'clientes.csv');
    fs.writeFileSync(
      file,
      'nome;telefone;email\nMaria Importada;(11) 97777-1234;maria.importada@example.com\n',
    );
    const endpoint = (await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).body;
    const since = await lastSeq();
    await zupy('import', file, '--company', server.companyId, '--json');
    await zupy('replay', '--endpoint', endpoint.id, '--since', '1h', '--json');
    expect(await entriesAfter(since)).toMatchObject([
      cliEntry('cli import', server.companyId),
      cliEntry('cli replay', endpoint.id),
    ]);
    const text = JSON.stringify(await server.runtime.ctx.db.selectFrom('audit_log').selectAll().execute());
    for (const value of ['Maria', 'Importada', '977771234', 'maria.importada'])
      expect(text).not.toContain(value);
    expect((await server.api.get('/api/v2/audit-log/verify/')).body).toMatchObject({ ok: true });
  });

  it('a CLI write that fails in its transaction leaves no entry', async () => {
    const since = await lastSeq();
    await expect(
      zupy('endpoint', 'delete', 'ep_doesnotexist', '--company', server.companyId),
    ).rejects.toThrow();
    await expect(
      zupy('company', 'create', '--name', 'Bella Vista', '--id', server.companyId),
    ).rejects.toThrow(/already exists/);
    expect(await entriesAfter(since)).toEqual([]);
  });
});
