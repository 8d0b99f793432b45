import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/app/build-app.js';
import { hashApiKey } from '../src/companies/api-keys.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { dumpDatabase } from './helpers/dump-database.js';
import { databaseEnv, freshDatabaseUrl } from './helpers/test-database.js';
import { makeClient, tempDir } from './helpers/test-server.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** The built CLI as a subprocess, on its own data dir. */
let databaseUrl: string | undefined;

function zupy(dataDir: string, ...args: string[]) {
  return run(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...databaseEnv(databaseUrl), ZUPY_DATA_DIR: dataDir, ZUPY_LOG_LEVEL: 'silent' },
  });
}

async function withRuntime<T>(dataDir: string, fn: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await startRuntime(
    loadConfig({ ...databaseEnv(databaseUrl), ZUPY_DATA_DIR: dataDir, ZUPY_LOG_LEVEL: 'silent' }),
  );
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

async function withServer<T>(dataDir: string, fn: (url: string) => Promise<T>): Promise<T> {
  const config = loadConfig({
    ...databaseEnv(databaseUrl),
    ZUPY_DATA_DIR: dataDir,
    ZUPY_LOG_LEVEL: 'silent',
  });
  const runtime = await startRuntime(config);
  const app = await buildApp(runtime.ctx, { logLevel: 'silent', rateLimitPerMinute: 1000, runtime });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    return await fn(url);
  } finally {
    await app.close();
    await runtime.close();
  }
}

describe('zupy CLI (built, as a subprocess)', () => {
  let dataDir: string;
  beforeAll(async () => {
    expect(fs.existsSync(CLI), 'run `npm run build` first').toBe(true);
    dataDir = tempDir('zupy-cli-');
    databaseUrl = await freshDatabaseUrl();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('migrate applies the migrations once', async () => {
    const first = await zupy(dataDir, 'migrate', '--json');
    expect(JSON.parse(first.stdout)).toEqual({
      applied: [
        '0001-initial',
        '0002-webhooks',
        '0003-claim-index',
        '0004-worker-lock',
        '0005-pending-indexes',
        '0006-log-indexes',
        '0007-delivery-edges',
        '0008-owner-notifications',
        '0009-storage-probe',
        '0010-rewards-coupons',
        '0011-orders-earning',
        '0012-customer-data',
        '0013-live-customer-index',
        '0014-endpoint-flow',
        '0015-idempotency-scope',
        '0016-attempt-error-codes',
        '0017-audit-pending',
      ],
    });
    const second = await zupy(dataDir, 'migrate');
    expect(second.stdout).toContain('up to date');
  });

  it('company create --json prints one line with a working key; apikey create and revoke manage keys', async () => {
    const { stdout } = await zupy(
      dataDir,
      'company',
      'create',
      '--name',
      'Bella Vista',
      '--id',
      'comp_bella_vista',
      '--json',
    );
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const created = JSON.parse(stdout) as { company_id: string; api_key: string };
    expect(created.company_id).toBe('comp_bella_vista');
    expect(created.api_key).toMatch(/^zupy_pk_[A-Za-z0-9]{32}$/);

    const readOnly = JSON.parse(
      (await zupy(dataDir, 'apikey', 'create', '--company', 'comp_bella_vista', '--read-only', '--json'))
        .stdout,
    );
    expect(readOnly.read_only).toBe(true);

    await withServer(dataDir, async (url) => {
      const rw = makeClient(url, created.api_key);
      expect((await rw.post('/api/v2/customers/', { phone: '11 93333-0000', name: 'Cli' })).status).toBe(201);
      const ro = makeClient(url, readOnly.api_key);
      expect((await ro.get('/api/v2/customers/')).body.data).toHaveLength(1);
      expect((await ro.post('/api/v2/customers/', { phone: '11 93333-0001', name: 'No' })).status).toBe(403);
    });

    const revoked = await zupy(dataDir, 'apikey', 'revoke', readOnly.api_key.slice(0, 14));
    expect(revoked.stdout).toContain('Revoked');
    await withServer(dataDir, async (url) => {
      expect((await makeClient(url, readOnly.api_key).get('/api/v2/customers/')).status).toBe(401);
      expect((await makeClient(url, created.api_key).get('/api/v2/customers/')).status).toBe(200);
    });
  });

  it('the API key is stored hashed, never in clear', async () => {
    const { stdout } = await zupy(dataDir, 'company', 'create', '--name', 'Hash Check', '--json');
    const key = (JSON.parse(stdout) as { api_key: string }).api_key;
    const files = fs.readdirSync(dataDir).map((f) => fs.readFileSync(`${dataDir}/${f}`));
    for (const content of files) expect(content.includes(key)).toBe(false);
    await withRuntime(dataDir, async (runtime) => {
      const dump = await dumpDatabase(runtime.ctx.db);
      expect(dump).toContain(hashApiKey(key));
      expect(dump).not.toContain(key.slice(8));
    });
  });

  it('fails with a clear message and a non-zero exit on bad input', async () => {
    await expect(
      zupy(dataDir, 'company', 'create', '--name', 'Dup', '--id', 'comp_bella_vista'),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('already exists'),
    });
    await expect(zupy(dataDir, 'company', 'create', '--name', 'X', '--id', 'Bad Id')).rejects.toMatchObject({
      stderr: expect.stringContaining('comp_'),
    });
    await expect(zupy(dataDir, 'apikey', 'revoke', 'zupy_pk_zzzzzz')).rejects.toMatchObject({
      stderr: expect.stringContaining('no active API key'),
    });
    await expect(zupy(dataDir, 'apikey', 'create', '--company', 'comp_nobody')).rejects.toMatchObject({
      stderr: expect.stringContaining('not found'),
    });
  });
});
