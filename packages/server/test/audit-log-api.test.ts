import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEnv } from './helpers/test-database.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const audit = async (query = '') => (await server.api.get(`/api/v2/audit-log/${query}`)).body;
const keyPrefix = () => server.apiKey.slice(0, 14);

describe('the audit log', () => {
  let memberId: string;
  let endpointId: string;

  it('has an entry per write through the API, with key prefix, address, action, target and status', async () => {
    memberId = (await server.api.post('/api/v2/customers/', { ...JOAO, marketing_opt_in: { email: true } }))
      .body.customer.member_id;
    await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: 10, reason: 'João pediu' });
    await server.api.request('PATCH', `/api/v2/customers/${memberId}/`, { email: 'joao.outro@example.com' });
    endpointId = (await server.api.post('/api/v2/webhooks/endpoints/', { url: 'http://127.0.0.1:9/hook' }))
      .body.id;
    const refused = await (
      await server.readOnlyClient()
    ).request('PATCH', `/api/v2/customers/${memberId}/`, {
      name: 'X',
    });
    expect(refused.status).toBe(403);
    await server.api.get(`/api/v2/customers/${memberId}/`); // a read: no entry

    const { data } = await audit('?page_size=100');
    const mine = data.filter((e: any) => e.actor === 'api' && e.key_prefix === keyPrefix());
    expect(mine.map((e: any) => [e.action, e.target_id, e.status]).reverse()).toEqual([
      ['POST /customers/', memberId, 201],
      ['POST /customers/:member_id/points/add/', memberId, 200],
      ['PATCH /customers/:member_id/', memberId, 200],
      ['POST /webhooks/endpoints/', endpointId, 201],
    ]);
    const denied = data.find((e: any) => e.status === 403);
    expect(denied).toMatchObject({ action: 'PATCH /customers/:member_id/', target_id: memberId });
    expect(denied.key_prefix).not.toBe(keyPrefix());
    for (const e of data) {
      expect(e.address).toBe('127.0.0.1');
      expect(e.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(data.some((e: any) => e.action.startsWith('GET'))).toBe(false);
  });

  it('says when the panel made the write', async () => {
    await server.api.request(
      'PATCH',
      `/api/v2/customers/${memberId}/`,
      { name: 'João Silva Souza' },
      {
        'x-zupy-client': 'panel',
      },
    );
    const [latest] = (await audit()).data;
    expect(latest).toMatchObject({
      actor: 'panel',
      action: 'PATCH /customers/:member_id/',
      key_prefix: keyPrefix(),
    });
  });

  it('filters by target, action and since, and pages with a cursor', async () => {
    const other = (await server.api.post('/api/v2/customers/', { phone: '(11) 92222-3333', name: 'Outra' }))
      .body.customer;
    await server.api.request('PATCH', `/api/v2/customers/${other.member_id}/`, { name: 'Outra Pessoa' });
    const byTarget = (await audit(`?target=${memberId}`)).data;
    expect(byTarget.length).toBe(5); // with the read-only key's refused PATCH
    expect(byTarget.every((e: any) => e.target_id === memberId)).toBe(true);
    const patches = (await audit(`?action=${encodeURIComponent('PATCH /customers/:member_id/')}`)).data;
    expect(patches.map((e: any) => e.target_id)).toEqual([other.member_id, memberId, memberId, memberId]);
    expect((await audit(`?since=${encodeURIComponent('2999-01-01T00:00:00Z')}`)).data).toEqual([]);
    expect((await audit(`?since=${encodeURIComponent('2000-01-01T00:00:00Z')}`)).data.length).toBeGreaterThan(
      5,
    );

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await audit(`?page_size=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.data.map((e: any) => e.seq));
      cursor = page.meta.next_cursor ?? page.meta.cursor ?? null;
    } while (cursor && seen.length < 100);
    const all = (await audit('?page_size=100')).data.map((e: any) => e.seq);
    expect(seen).toEqual(all);
  });

  it('records the CLI’s writes as cli, without key or address', async () => {
    if (server.databaseUrl === undefined) {
      await run(process.execPath, [CLI, 'apikey', 'create', '--company', server.companyId], {
        env: { ...process.env, ZUPY_DATA_DIR: server.dataDir, ZUPY_LOG_LEVEL: 'silent' },
      });
    } else {
      await run(process.execPath, [CLI, 'apikey', 'create', '--company', server.companyId], {
        env: { ...process.env, ...databaseEnv(server.databaseUrl), ZUPY_LOG_LEVEL: 'silent' },
      });
    }
    const [latest] = (await audit()).data;
    expect(latest).toMatchObject({
      actor: 'cli',
      key_prefix: null,
      address: null,
      action: 'cli apikey create',
      target_id: server.companyId,
      status: null,
    });
  });

  it('holds no personal data and no key: a scan of every row', async () => {
    await server.api.request('DELETE', `/api/v2/customers/${memberId}/`);
    const rows = await server.runtime.ctx.db.selectFrom('audit_log').selectAll().execute();
    const text = JSON.stringify(rows);
    for (const value of [
      'João',
      'Silva',
      '5511965958122',
      '11965958122',
      'joao@',
      'joao.outro',
      '52998224725',
      'Outra Pessoa',
      'pediu',
      server.apiKey,
    ])
      expect(text, value).not.toContain(value);
    expect(text).toContain(memberId);
  });

  it('is a hash chain: changing or removing an entry in the middle shows', async () => {
    const verify = async () => (await server.api.get('/api/v2/audit-log/verify/')).body;
    const good = await verify();
    expect(good).toMatchObject({ ok: true, broken_at: null });
    expect(good.checked).toBeGreaterThan(8);
    const seqs = (await audit('?page_size=100')).data.map((e: any) => e.seq).reverse();
    const middle = seqs[4];
    const db = server.runtime.ctx.db;
    const original = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '=', middle)
      .executeTakeFirstOrThrow();
    await db.updateTable('audit_log').set({ target_id: 'ZP-00000000' }).where('seq', '=', middle).execute();
    expect(await verify()).toMatchObject({ ok: false, broken_at: middle });
    await db
      .updateTable('audit_log')
      .set({ target_id: original.target_id })
      .where('seq', '=', middle)
      .execute();
    expect((await verify()).ok).toBe(true);
    await db.deleteFrom('audit_log').where('seq', '=', middle).execute();
    expect(await verify()).toMatchObject({ ok: false, broken_at: seqs[5] });
  });

  it('another company sees none of it', async () => {
    const b = await server.newCompany('Outra');
    expect((await b.api.get('/api/v2/audit-log/')).body.data).toEqual([]);
    expect((await b.api.get(`/api/v2/audit-log/?target=${memberId}`)).body.data).toEqual([]);
  });
});

describe('audit log retention (ZUPY_AUDIT_RETENTION)', () => {
  it('removes entries older than the setting on a later write, and keeps the younger ones', async () => {
    let now = new Date('2026-01-10T12:00:00Z');
    const s = await startTestServer({ env: { ZUPY_AUDIT_RETENTION: '1d' }, ctx: { clock: () => now } });
    try {
      const write = (name: string) => s.api.post('/api/v2/customers/', { phone: '(11) 98888-1111', name });
      await write('Primeira'); // at 12:00, day 1
      now = new Date('2026-01-11T00:00:00Z');
      await write('Segunda'); // 12 h later
      now = new Date('2026-01-11T12:00:01Z');
      await write('Terceira'); // the cutoff is now 12:00:01 of day 1: the first is older, the second is not
      const ats = (await s.api.get('/api/v2/audit-log/')).body.data.map((e: any) => e.at);
      expect(ats).toEqual(['2026-01-11T12:00:01Z', '2026-01-11T00:00:00Z']);
      expect((await s.api.get('/api/v2/audit-log/verify/')).body).toMatchObject({ ok: true, checked: 2 });
    } finally {
      await s.close();
    }
  });
});
