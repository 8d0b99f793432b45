import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServeProcess, type ServeProcess } from './helpers/serve-process.js';
import { databaseEnv, freshDatabaseUrl } from './helpers/test-database.js';
import { tempDir } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

const dirs: string[] = [];
let serve: ServeProcess | undefined;
afterAll(() => {
  serve?.child.kill('SIGTERM');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the access log at the default level', () => {
  it('is one line per request, names the route not the URL, and leaves passing health probes out', async () => {
    const dataDir = tempDir('zupy-access-');
    dirs.push(dataDir);
    const env = { ...databaseEnv(await freshDatabaseUrl()), ZUPY_DATA_DIR: dataDir };
    const company = JSON.parse(await runCli(env, 'company', 'create', '--name', 'Log Test', '--json')) as {
      api_key: string;
    };
    serve = await startServeProcess({ ...env, ZUPY_LOG_LEVEL: 'info' }, ['serve', '--no-worker']);
    const headers = { 'x-api-key': company.api_key };
    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
    const search = await fetch(`${serve.url}/api/v2/customers/?search=maria.sigilosa%40example.com`, {
      headers,
    });
    expect(search.status).toBe(200);
    expect((await fetch(`${serve.url}/api/v2/customers/ZP-00000000/`, { headers })).status).toBe(404);

    const requestLines = () =>
      serve!
        .output()
        .split('\n')
        .filter((line) => line.includes('"route"'));
    await waitUntil(() => (requestLines().some((line) => line.includes(':member_id')) ? true : undefined));
    const lines = requestLines().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => [l.method, l.route, l.status, l.msg])).toEqual([
      ['GET', '/api/v2/customers/', 200, 'GET /api/v2/customers/ 200'],
      ['GET', '/api/v2/customers/:member_id/', 404, 'GET /api/v2/customers/:member_id/ 404'],
    ]);
    expect(typeof lines[0]!.ms).toBe('number');
    const output = serve.output();
    expect(output).not.toContain('incoming request');
    expect(output).not.toContain('request completed');
    expect(output).not.toContain('sigilosa');
    expect(output).not.toContain('/healthz');
  });
});
