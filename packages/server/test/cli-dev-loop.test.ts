import { spawn, type ChildProcess } from 'node:child_process';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from './helpers/serve-process.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { databaseEnv } from './helpers/test-database.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * The Stripe-style loop (issue 18, item 3): `zupy listen` registers a temporary endpoint pointing at
 * itself (through a server's API with an API key, or in the local data dir), verifies and forwards
 * what the real pipeline delivers, and removes the endpoint when it stops; `zupy trigger --endpoint`
 * sends through the pipeline; `zupy endpoint …`, `company list`, `apikey list`.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Listen {
  child: ChildProcess;
  url: string;
  secret: string;
  endpointId: string;
  stderr: () => string;
  lines: () => any[];
  exited: Promise<number | null>;
}

/** `zupy listen` as a real process, waited for until it says it is listening. */
async function startListen(args: string[], env: Record<string, string> = {}): Promise<Listen> {
  const child = spawn(process.execPath, [CLI, 'listen', '--port', '0', '--json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  await waitUntil(
    () => (/Listening for Zupy webhooks on (\S+)/.test(err) || child.exitCode !== null ? true : undefined),
    20_000,
  );
  if (child.exitCode !== null) throw new Error(`listen exited: ${err}`);
  return {
    child,
    url: /Listening for Zupy webhooks on (\S+)/.exec(err)![1]!,
    secret: /Signing secret \(this session only\): (\S+)/.exec(err)?.[1] ?? '',
    endpointId: /temporary endpoint (ep_\S+)/.exec(err)?.[1] ?? '',
    stderr: () => err,
    lines: () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    exited,
  };
}

async function cli(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, stdout: await runCli(env, ...args), stderr: '' };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function serverWithReceiver(): Promise<{ server: TestServer; target: Receiver }> {
  const server = await startTestServer({ worker: { pollMs: 100 } });
  cleanups.push(() => server.close());
  const target = await startReceiver(() => ({ status: 202, body: '{"queued":true}' }));
  cleanups.push(() => target.close());
  return { server, target };
}

describe('zupy listen registers itself through the API (--api-key)', () => {
  it('prints the secret, forwards real deliveries verified with it, and deletes the endpoint on SIGTERM', async () => {
    const { server, target } = await serverWithReceiver();
    const listen = await startListen([
      '--api-key',
      server.apiKey,
      '--api-url',
      server.url,
      '--forward-to',
      `${target.url}/hook`,
      '--events',
      'customer.registered,tier.upgraded',
    ]);
    expect(listen.secret).toMatch(/^whsec_/);
    const endpoints = (await server.api.get('/api/v2/webhooks/endpoints/')).body.data;
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({
      id: listen.endpointId,
      url: listen.url,
      events: ['customer.registered', 'tier.upgraded'],
    });

    const registered = await server.api.post('/api/v2/customers/', JOAO);
    expect(registered.status).toBe(201);
    const [forwarded] = await target.waitFor(1);
    expect(forwarded!.url).toBe('/hook');
    const event = new Webhook(listen.secret).verify(forwarded!.body, forwarded!.headers as any) as any;
    expect(event).toMatchObject({
      event: 'customer.registered',
      customer: { member_id: registered.body.customer.member_id },
    });
    await expect.poll(() => listen.lines().length).toBe(1);
    expect(listen.lines()[0]).toMatchObject({ event: 'customer.registered', verified: true, test: false });
    expect(listen.lines()[0].forward).toMatchObject({ status: 202 });

    // The real pipeline: a logged test delivery to the temporary endpoint, through the API.
    const sent = await cli(
      {},
      'trigger',
      'tier.upgraded',
      '--endpoint',
      listen.endpointId,
      '--api-key',
      server.apiKey,
      '--api-url',
      server.url,
      '--json',
    );
    expect(sent.code, sent.stderr).toBe(0);
    const result = JSON.parse(sent.stdout);
    expect(result).toMatchObject({ ok: true, status: 202, body: '{"queued":true}' });
    await expect.poll(() => listen.lines().length).toBe(2);
    expect(listen.lines()[1]).toMatchObject({ event: 'tier.upgraded', verified: true, test: true });
    const log = await server.api.get(`/api/v2/webhooks/deliveries/${result.delivery_id}/`);
    expect(log.status).toBe(200);

    listen.child.kill('SIGTERM');
    expect(await listen.exited).toBe(0);
    expect(listen.stderr()).toContain(`Removed the temporary endpoint ${listen.endpointId}`);
    expect((await server.api.get('/api/v2/webhooks/endpoints/')).body.data).toEqual([]);
  });

  it('a wrong key or an unreachable server is one clear line and exit 1, and nothing listens on', async () => {
    const { server } = await serverWithReceiver();
    const wrong = await cli(
      {},
      'listen',
      '--port',
      '0',
      '--api-key',
      'zupy_pk_' + 'x'.repeat(32),
      '--api-url',
      server.url,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^zupy: POST \/webhooks\/endpoints\/ answered 401/);
    const down = await cli(
      {},
      'listen',
      '--port',
      '0',
      '--api-key',
      server.apiKey,
      '--api-url',
      'http://127.0.0.1:9',
    );
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach the Zupy API at http://127.0.0.1:9');
  });
});

describe('the endpoint commands on the local data dir', () => {
  it('listen --company registers in the data dir; the server delivers to it; SIGINT removes it', async () => {
    const { server } = await serverWithReceiver();
    const env = {
      ZUPY_DATA_DIR: server.dataDir,
      ZUPY_ALLOW_PRIVATE_NETWORK: '1',
      ...databaseEnv(server.databaseUrl),
    };
    const listen = await startListen(['--company', server.companyId], env);
    const listed = await cli(env, 'endpoint', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id: listen.endpointId, url: listen.url, events: [] }]);
    const secret = await cli(env, 'endpoint', 'secret', listen.endpointId);
    expect(secret.stdout.trim()).toBe(listen.secret);

    await server.api.post('/api/v2/customers/', JOAO);
    await expect.poll(() => listen.lines().length, { timeout: 10_000 }).toBe(1);
    expect(listen.lines()[0]).toMatchObject({ event: 'customer.registered', verified: true });

    const sent = await cli(env, 'trigger', 'customer.registered', '--endpoint', listen.endpointId);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/delivery dlv_\S+, in the endpoint's log/);
    expect(sent.stdout).toContain('✓ 200');
    await expect.poll(() => listen.lines().length).toBe(2);

    listen.child.kill('SIGINT');
    expect(await listen.exited).toBe(0);
    expect(JSON.parse((await cli(env, 'endpoint', 'list', '--json')).stdout)).toEqual([]);
  });

  it('create, list, secret and delete, with --json and the table; several companies need --company', async () => {
    const { server } = await serverWithReceiver();
    const env = { ZUPY_DATA_DIR: server.dataDir, ...databaseEnv(server.databaseUrl) };

    // Without ZUPY_ALLOW_PRIVATE_NETWORK a loopback URL is refused, naming the fix.
    const privateUrl = await cli(env, 'endpoint', 'create', '--url', 'http://127.0.0.1:9/x');
    expect(privateUrl.code).toBe(1);
    expect(privateUrl.stderr).toContain('ZUPY_ALLOW_PRIVATE_NETWORK=1');

    const allowed = { ...env, ZUPY_ALLOW_PRIVATE_NETWORK: '1' };
    const created = await cli(
      allowed,
      'endpoint',
      'create',
      '--url',
      'http://127.0.0.1:9/crm',
      '--events',
      'tier.upgraded',
      '--ordering',
      'none',
      '--description',
      'CRM',
      '--json',
    );
    expect(created.code, created.stderr).toBe(0);
    const endpoint = JSON.parse(created.stdout);
    expect(endpoint).toMatchObject({
      url: 'http://127.0.0.1:9/crm',
      events: ['tier.upgraded'],
      ordering: 'none',
      description: 'CRM',
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect((await cli(env, 'endpoint', 'secret', endpoint.id, '--json')).stdout.trim()).toBe(
      JSON.stringify({ id: endpoint.id, secret: endpoint.secret }),
    );
    const second = JSON.parse(
      (await cli(allowed, 'endpoint', 'create', '--url', 'http://127.0.0.1:9/second', '--json')).stdout,
    );
    const table = (await cli(env, 'endpoint', 'list')).stdout.split('\n');
    expect(table[0]).toMatch(/^ID\s+STATE\s+EVENTS\s+URL$/);
    expect(table[1]).toMatch(
      new RegExp(`^${endpoint.id}\\s+enabled\\s+tier.upgraded\\s+http://127.0.0.1:9/crm$`),
    );
    expect(table[2]).toMatch(
      new RegExp(`^${second.id}\\s+enabled\\s+all customer events\\s+http://127.0.0.1:9/second$`),
    );

    const unknownEvent = await cli(
      allowed,
      'endpoint',
      'create',
      '--url',
      'http://127.0.0.1:9/y',
      '--events',
      'tier.upgraded,tier.lost',
    );
    expect(unknownEvent.code).toBe(1);
    expect(unknownEvent.stderr).toContain('"tier.lost" is not one of');

    expect((await cli(env, 'endpoint', 'delete', endpoint.id)).stdout).toBe(`Deleted ${endpoint.id}\n`);
    expect(JSON.parse((await cli(env, 'endpoint', 'list', '--json')).stdout).map((e: any) => e.id)).toEqual([
      second.id,
    ]);
    const again = await cli(env, 'endpoint', 'delete', endpoint.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`webhook endpoint ${endpoint.id} not found`);

    // A second company: the commands now need --company, and say which ones there are.
    const other = await server.newCompany('Cantina Boa');
    const ambiguous = await cli(env, 'endpoint', 'list');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain(
      `there are 2 companies; choose one with --company (${server.companyId}, ${other.companyId})`,
    );
    expect(
      JSON.parse((await cli(env, 'endpoint', 'list', '--company', other.companyId, '--json')).stdout),
    ).toEqual([]);
    const missing = await cli(env, 'endpoint', 'list', '--company', 'comp_nobody');
    expect(missing.stderr).toContain('company comp_nobody not found');
  });

  it('company list and apikey list show prefixes only, revoked keys marked', async () => {
    const { server } = await serverWithReceiver();
    const env = { ZUPY_DATA_DIR: server.dataDir, ...databaseEnv(server.databaseUrl) };
    const other = await server.newCompany('Cantina Boa');
    const companies = JSON.parse((await cli(env, 'company', 'list', '--json')).stdout);
    expect(companies.map((c: any) => [c.company_id, c.name])).toEqual([
      [server.companyId, 'Bella Vista'],
      [other.companyId, 'Cantina Boa'],
    ]);
    expect((await cli(env, 'company', 'list')).stdout).toMatch(
      new RegExp(`\\n${other.companyId}\\s+Cantina Boa\\s+\\d{4}-`),
    );

    const readOnly = JSON.parse(
      (await cli(env, 'apikey', 'create', '--company', other.companyId, '--read-only', '--json')).stdout,
    );
    await cli(env, 'apikey', 'revoke', other.apiKey);
    const listed = await cli(env, 'apikey', 'list', '--company', other.companyId, '--json');
    const keys = JSON.parse(listed.stdout);
    expect(keys).toEqual([
      {
        prefix: other.apiKey.slice(0, 14),
        read_only: false,
        created_at: expect.any(String),
        revoked_at: expect.any(String),
      },
      {
        prefix: readOnly.api_key.slice(0, 14),
        read_only: true,
        created_at: expect.any(String),
        revoked_at: null,
      },
    ]);
    expect(listed.stdout).not.toContain(readOnly.api_key);
    const table = (await cli(env, 'apikey', 'list', '--company', other.companyId)).stdout;
    expect(table).toContain(`${readOnly.api_key.slice(0, 14)}…  read-only`);
    expect(table).not.toContain(readOnly.api_key);
  });
});

describe('zupy trigger picks one mode', () => {
  it('refuses neither or both of --endpoint and --url, --set with --endpoint, and --company with --api-key', async () => {
    const neither = await cli({}, 'trigger', 'customer.registered');
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('give either --endpoint ep_… or --url');
    const both = await cli(
      {},
      'trigger',
      'customer.registered',
      '--endpoint',
      'ep_x',
      '--url',
      'http://127.0.0.1:9/',
    );
    expect(both.stderr).toContain('give either --endpoint ep_… or --url');
    const noSecret = await cli({}, 'trigger', 'customer.registered', '--url', 'http://127.0.0.1:9/');
    expect(noSecret.stderr).toContain('--secret: is required with --url');
    const set = await cli(
      {},
      'trigger',
      'customer.registered',
      '--endpoint',
      'ep_x',
      '--set',
      'customer.tier=gold',
    );
    expect(set.stderr).toContain('--secret and --set go with --url');
    const mixed = await cli(
      {},
      'trigger',
      'customer.registered',
      '--endpoint',
      'ep_x',
      '--api-key',
      'zupy_pk_x',
      '--company',
      'comp_x',
    );
    expect(mixed.stderr).toContain('--company is for the local data dir');
  });
});
