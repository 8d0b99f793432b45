import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { generateSecret, parseEvent, sampleEvent, serializeEvent, signZupySignature } from '@zupy/webhooks';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from './helpers/serve-process.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { databaseEnv, freshDatabaseUrl } from './helpers/test-database.js';
import { JOAO, startTestServer, tempDir, type TestServer } from './helpers/test-server.js';

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `zupy listen` as a real process; resolves with its URL and the JSON lines it prints. */
async function startListen(args: string[]): Promise<{ url: string; lines: () => any[] }> {
  const child = spawn(process.execPath, [CLI, 'listen', '--port', '0', '--json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  for (let i = 0; !/http:\/\/[\d.]+:\d+\//.test(err); i++) {
    if (i > 400) throw new Error(`listen did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: /http:\/\/[\d.]+:\d+\//.exec(err)![0],
    lines: () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const stdout = await runCli(env, ...args);
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('zupy trigger and zupy listen', () => {
  it('trigger sends a signed sample that listen verifies; a wrong secret is refused and trigger exits 1', async () => {
    const secret = generateSecret();
    const listen = await startListen(['--secret', secret]);
    const ok = await cli([
      'trigger',
      'tier.upgraded',
      '--url',
      listen.url,
      '--secret',
      secret,
      '--set',
      'customer.tier=gold',
      '--set',
      'tier_change.new_tier=gold',
      '--json',
    ]);
    expect(ok.code).toBe(0);
    const sent = JSON.parse(ok.stdout);
    expect(sent).toMatchObject({ ok: true, status: 200 });
    const [line] = listen.lines();
    expect(line).toMatchObject({ event: 'tier.upgraded', verified: true, test: true, attempt: '1' });
    expect(line.verdict).toContain('standard-webhooks');
    expect(line.body.customer.tier).toBe('gold');
    expect(line.event_id).toBe(sent.request.headers['x-zupy-event-id']);
    for (const header of [
      'x-zupy-signature',
      'x-zupy-delivery',
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      'user-agent',
    ]) {
      expect(line.headers[header], header).toBeTruthy();
    }

    const wrong = await cli([
      'trigger',
      'customer.registered',
      '--url',
      listen.url,
      '--secret',
      generateSecret(),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('401');
    expect(listen.lines()[1]).toMatchObject({ verified: false });
  });

  /** Per event: overrides given with --set, what the signed body then holds, and an override refused. */
  const TRIGGERS: {
    event: string;
    args?: string[];
    set: string[];
    holds: Record<string, unknown>;
    refused: [set: string, message: string];
  }[] = [
    {
      event: 'endpoint.disabled',
      args: ['--company', 'comp_x'],
      set: ['reason.code=gone', 'next_probe_at=null'],
      holds: { company_id: 'comp_x', reason: { code: 'gone' }, next_probe_at: null },
      refused: ['reason.code=tired', 'reason.code must be one of gone, failure_streak, manual'],
    },
    {
      event: 'endpoint.enabled',
      set: [],
      holds: { event: 'endpoint.enabled' },
      refused: ['endpoint.url=7', 'endpoint.url must be a string'],
    },
    {
      event: 'delivery.failed',
      set: [],
      holds: { event: 'delivery.failed' },
      refused: ['delivery.attempts=many', 'delivery.attempts must be'],
    },
    {
      event: 'coupon.redeemed',
      set: [],
      holds: { coupon: { coupon_code: 'CZ-7K2M9QXA', points_spent: 500 } },
      refused: ['coupon.points_spent=lots', 'coupon.points_spent must be'],
    },
    {
      event: 'coupon.used',
      set: ['usage.platform=ifood', 'usage.items_affected=[]'],
      holds: { usage: { platform: 'ifood', items_affected: [] } },
      refused: ['usage.platform=rappi', 'usage.platform must be one of pos, manual, goomer, ifood, repediu'],
    },
    {
      event: 'customer.updated',
      set: ['changed_fields=["name","marketing_opt_in"]', 'customer.marketing_opt_in.email=true'],
      holds: {
        customer: { marketing_opt_in: { whatsapp: true, email: true } },
        changed_fields: ['name', 'marketing_opt_in'],
      },
      refused: [
        'customer.marketing_opt_in.email=yes',
        'customer.marketing_opt_in.email must be true or false',
      ],
    },
    {
      event: 'customer.deleted',
      set: [],
      holds: { customer: { member_id: 'ZP-8B23CD41' } },
      refused: ['customer.member_id=7', 'customer.member_id must be'],
    },
    {
      event: 'points.earned',
      set: ['transaction.platform=repediu', 'next_tier=null'],
      holds: {
        transaction: { platform: 'repediu', points_earned: 243 },
        bonuses: [{ type: 'category_bonus' }, { type: 'happy_hour' }, { type: 'tier_multiplier' }],
        next_tier: null,
      },
      refused: ['transaction.platform=rappi', 'transaction.platform must be one of pos, manual, goomer'],
    },
  ];

  it.each(TRIGGERS)(
    'trigger sends $event with its overrides, signed as the contract says; listen and standardwebhooks verify it',
    async ({ event, args = [], set, holds, refused }) => {
      const secret = generateSecret();
      const listen = await startListen(['--secret', secret]);
      const overrides = set.flatMap((s) => ['--set', s]);
      const base = ['trigger', event, '--url', listen.url, '--secret', secret, ...args];
      const res = await cli([...base, ...overrides, '--json']);
      expect(res.code, res.stderr).toBe(0);
      const sent = JSON.parse(res.stdout);
      expect(sent.request.headers['x-zupy-event']).toBe(event);
      // The exact bytes the SDK would serialize: the contract's key order, nothing pretty-printed.
      expect(sent.request.body).toBe(serializeEvent(parseEvent(sent.request.body)));
      const verified = new Webhook(secret).verify(sent.request.body, sent.request.headers);
      expect(verified).toEqual(parseEvent(sent.request.body));
      expect(verified).toMatchObject({ event, ...holds });
      const bad = await cli([...base, '--set', refused[0]]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(refused[1]);
      expect(listen.lines()).toEqual([expect.objectContaining({ event, verified: true, test: true })]);
    },
  );

  it('refuses an override that breaks the contract or names no field', async () => {
    const bad = await cli([
      'trigger',
      'customer.registered',
      '--url',
      'http://127.0.0.1:9/',
      '--secret',
      generateSecret(),
      '--set',
      'customer.tier=diamond',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('customer.tier must be one of');
    const unknown = await cli([
      'trigger',
      'customer.registered',
      '--url',
      'http://127.0.0.1:9/',
      '--secret',
      'whsec_x',
      '--set',
      'customer.shoe_size=42',
    ]);
    expect(unknown.stderr).toContain('is not a field');
    const type = await cli([
      'trigger',
      'customer.merged',
      '--url',
      'http://127.0.0.1:9/',
      '--secret',
      'whsec_x',
    ]);
    expect(type.stderr).toContain(
      'must be one of customer.registered, tier.upgraded, coupon.redeemed, coupon.used, customer.updated, customer.deleted, points.earned, endpoint.disabled, endpoint.enabled, delivery.failed',
    );
  });

  it('listen --forward-to passes the delivery on and answers with the target’s answer', async () => {
    const target: Receiver = await startReceiver(() => ({ status: 202, body: '{"queued":true}' }));
    cleanups.push(() => target.close());
    const secret = generateSecret();
    const listen = await startListen(['--secret', secret, '--forward-to', target.url + '/hook']);
    const res = await cli([
      'trigger',
      'customer.registered',
      '--url',
      listen.url,
      '--secret',
      secret,
      '--json',
    ]);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 202, body: '{"queued":true}' });
    expect(target.requests[0]!.url).toBe('/hook');
    expect(target.requests[0]!.headers['x-zupy-signature']).toBeTruthy();
    expect(listen.lines()[0].forward).toMatchObject({ status: 202 });
  });
});

describe('zupy listen without the webhook-* headers', () => {
  it('rejects X-Zupy-Signature alone with 401, saying whether that signature matched', async () => {
    const secret = generateSecret();
    const listen = await startListen(['--secret', secret]);
    const body = serializeEvent(sampleEvent('customer.registered'));
    const post = (signature: string) =>
      fetch(listen.url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-zupy-signature': signature },
      });
    expect((await post(signZupySignature(secret, body))).status).toBe(401);
    expect((await post(signZupySignature(generateSecret(), body))).status).toBe(401);
    await expect.poll(() => listen.lines().length).toBe(2);
    const [right, wrong] = listen.lines();
    expect(right).toMatchObject({ verified: false });
    expect(right.verdict).toContain('REJECTED missing_header');
    expect(right.verdict).toContain('allowReplayableZupySignature');
    expect(right.verdict).toContain('X-Zupy-Signature alone matches this secret');
    expect(wrong.verdict).toContain('X-Zupy-Signature does not match either');
  });
});

describe('zupy verify', () => {
  it('exits 0 on a match and 1 with the reason otherwise', async () => {
    const dir = tempDir('zupy-verify-');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const secret = generateSecret();
    const body = serializeEvent(sampleEvent('customer.registered'));
    const exact = path.join(dir, 'body.json');
    fs.writeFileSync(exact, body);
    const withNewline = path.join(dir, 'newline.json');
    fs.writeFileSync(withNewline, body + '\n');
    const signature = signZupySignature(secret, body);
    const good = await cli(['verify', '--secret', secret, '--signature', signature, '--body-file', exact]);
    expect(good).toMatchObject({ code: 0, stdout: expect.stringContaining('matches') });
    expect(good.stdout).toContain('@zupy/webhooks requires the webhook-* headers too');
    const bad = await cli([
      'verify',
      '--secret',
      secret,
      '--signature',
      signature,
      '--body-file',
      withNewline,
      '--json',
    ]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).findings[0]).toContain('newline');
  });
});

describe('zupy replay', () => {
  let server: TestServer;
  it('--dry-run changes nothing; the real run redelivers the failed deliveries', async () => {
    let healthy = false;
    const receiver = await startReceiver(() => (healthy ? { status: 200 } : { status: 500 }));
    cleanups.push(() => receiver.close());
    const dataDir = tempDir('zupy-replay-');
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    server = await startTestServer({ worker: true, dataDir, env: { ZUPY_RETRY_SCHEDULE: '0s' } });
    cleanups.push(() => server.close());
    const ep = (await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).body;
    for (let i = 0; i < 3; i++)
      await server.api.post('/api/v2/customers/', {
        ...JOAO,
        phone: `11 96111-000${i}`,
        cpf: null,
        email: null,
      });
    await receiver.waitFor(3);
    for (
      let i = 0;
      (await server.api.get('/api/v2/webhooks/deliveries/?status=failed')).body.data.length < 3;
      i++
    ) {
      if (i > 200) throw new Error('deliveries did not fail');
      await new Promise((r) => setTimeout(r, 50));
    }
    const snapshot = () =>
      server.runtime.ctx.db.selectFrom('deliveries').selectAll().orderBy('seq').execute();
    const before = await snapshot();
    const env = { ...databaseEnv(server.databaseUrl), ZUPY_DATA_DIR: dataDir, ZUPY_LOG_LEVEL: 'silent' };
    const dry = await cli(
      ['replay', '--endpoint', ep.id, '--since', '1h', '--status', 'failed', '--dry-run', '--json'],
      env,
    );
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dry_run: true, count: 3, sample: expect.any(Array) });
    expect(await snapshot()).toEqual(before);

    healthy = true;
    const real = await cli(
      ['replay', '--endpoint', ep.id, '--since', '1h', '--status', 'failed', '--rate', '100', '--json'],
      env,
    );
    expect(JSON.parse(real.stdout)).toMatchObject({ dry_run: false, count: 3 });
    await receiver.waitFor(6);
    for (
      let i = 0;
      (await server.api.get('/api/v2/webhooks/deliveries/?status=succeeded')).body.data.length < 3;
      i++
    ) {
      if (i > 200) throw new Error('replayed deliveries did not succeed');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(receiver.requests.slice(3).map((r) => r.headers['x-zupy-attempt'])).toEqual(['2', '2', '2']);
    const none = await cli(
      ['replay', '--endpoint', ep.id, '--since', '1h', '--status', 'failed', '--dry-run', '--json'],
      env,
    );
    expect(JSON.parse(none.stdout).count).toBe(0);
    const missing = await cli(['replay', '--endpoint', 'ep_nope', '--since', '1h'], env);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('not found') });
  });
});

describe('zupy import', () => {
  /** A data dir and database of its own, with the company the import goes into. */
  async function importSetup(prefix: string, name: string, companyId: string) {
    const dataDir = tempDir(prefix);
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const databaseUrl = await freshDatabaseUrl();
    const env = { ...databaseEnv(databaseUrl), ZUPY_DATA_DIR: dataDir, ZUPY_LOG_LEVEL: 'silent' };
    await cli(['company', 'create', '--name', name, '--id', companyId], env);
    return { dataDir, databaseUrl, env };
  }

  it('registers the good rows, rejects the bad with line numbers, and imports nothing twice', async () => {
    const { dataDir, databaseUrl, env } = await importSetup('zupy-import-', 'Importer', 'comp_importer');
    const csv = path.join(dataDir, 'clientes.csv');
    fs.writeFileSync(
      csv,
      [
        'Nome,Celular,E-mail,CPF',
        'João Silva,(11) 96595-8122,joao@example.com,529.982.247-25',
        'Maria Souza,21 98765-4321,,',
        'Sem Telefone,,semtel@example.com,',
        'Ana Lima,11 91234-5678,ana@example,',
        '"Souza, Pedro",11 93456-7890,pedro@example.com,111.444.777-35',
        'Bad CPF,11 93456-7000,,123.456.789-00',
        'João Again,11965958122,,',
      ].join('\n') + '\n',
    );
    const first = await cli(['import', csv, '--company', 'comp_importer', '--json'], env);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({ total: 7, created: 3, already_enrolled: 1, rejected: 3, events: true });
    expect(report.rejected_rows).toEqual([
      { line: 4, fields: ['phone'], reason: expect.stringContaining('phone') },
      { line: 5, fields: ['email'], reason: expect.stringContaining('email') },
      { line: 7, fields: ['cpf'], reason: expect.stringContaining('cpf') },
    ]);
    const rejects = fs
      .readFileSync(report.rejects_file, 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\n');
    expect(rejects[0]).toBe('line,field,reason,Nome,Celular,E-mail,CPF');
    expect(rejects[1]).toMatch(/^4,phone,/);
    expect(rejects).toHaveLength(4);

    const second = JSON.parse(
      (await cli(['import', csv, '--company', 'comp_importer', '--json'], env)).stdout,
    );
    expect(second).toMatchObject({ created: 0, already_enrolled: 4, rejected: 3 });

    const server = await startTestServer({ dataDir, databaseUrl });
    cleanups.push(() => server.close());
    const db = server.runtime.ctx.db;
    const customers = await db
      .selectFrom('customers')
      .select(['name', 'channel', 'whatsapp'])
      .where('company_id', '=', 'comp_importer')
      .execute();
    expect(customers.map((c) => c.name).sort()).toEqual(['João Silva', 'Maria Souza', 'Souza, Pedro']);
    expect(new Set(customers.map((c) => c.channel))).toEqual(new Set(['import']));
    const events = await db
      .selectFrom('events')
      .select('type')
      .where('company_id', '=', 'comp_importer')
      .execute();
    expect(events).toHaveLength(3);

    const quiet = path.join(dataDir, 'quiet.csv');
    fs.writeFileSync(quiet, 'name,phone\nQuiet One,11 92222-3333\n');
    const noEvents = JSON.parse(
      (await cli(['import', quiet, '--company', 'comp_importer', '--no-events', '--json'], env)).stdout,
    );
    expect(noEvents).toMatchObject({ created: 1, events: false });
    expect(
      await db.selectFrom('events').select('type').where('company_id', '=', 'comp_importer').execute(),
    ).toHaveLength(3);

    const noPhone = path.join(dataDir, 'nophone.csv');
    fs.writeFileSync(noPhone, 'name,city\nX,Y\n');
    const refused = await cli(['import', noPhone, '--company', 'comp_importer'], env);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('no phone column') });
  });

  it('imports what Excel in Portuguese saves: `;`-separated, Windows-1252, Portuguese headers', async () => {
    const { dataDir, databaseUrl, env } = await importSetup('zupy-import-br-', 'Planilha', 'comp_planilha');
    const text = [
      'Nome;Telefone;E-mail;CPF',
      'José Araújo;(11) 96595-8122;jose@example.com;529.982.247-25',
      'Conceição, Maria;21 98765-4321;;',
      'Sem CPF válido;11 93456-7000;;123.456.789-00',
    ].join('\r\n');
    const file = path.join(dataDir, 'clientes-excel.csv');
    fs.writeFileSync(file, Buffer.from(text, 'latin1')); // Latin-1 bytes: é = 0xe9, not valid UTF-8
    const tabs = path.join(dataDir, 'clientes.tsv');
    fs.writeFileSync(tabs, '\ufeffnome\twhatsapp\nÍcaro Tab\t11 91111-2222\n');

    const report = JSON.parse(
      (await cli(['import', file, '--company', 'comp_planilha', '--json'], env)).stdout,
    );
    expect(report).toMatchObject({ total: 3, created: 2, rejected: 1 });
    expect(report.rejected_rows).toEqual([
      { line: 4, fields: ['cpf'], reason: expect.stringContaining('cpf') },
    ]);
    const rejects = fs.readFileSync(report.rejects_file, 'utf8');
    expect(rejects.startsWith('\ufeffline;field;reason;Nome;Telefone;E-mail;CPF\n4;cpf;')).toBe(true);
    expect(rejects).toContain('Sem CPF válido');
    expect(
      JSON.parse((await cli(['import', tabs, '--company', 'comp_planilha', '--json'], env)).stdout),
    ).toMatchObject({
      created: 1,
      rejected: 0,
    });

    const server = await startTestServer({ dataDir, databaseUrl });
    cleanups.push(() => server.close());
    const names = await server.runtime.ctx.db
      .selectFrom('customers')
      .select('name')
      .where('company_id', '=', 'comp_planilha')
      .orderBy('name')
      .execute();
    expect(names.map((n) => n.name)).toEqual(['Conceição, Maria', 'José Araújo', 'Ícaro Tab']);
  });
});
