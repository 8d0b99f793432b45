// API-key authorisation (http/auth.ts, companies/api-keys.ts) through the API, one server for the
// file: the mutation run of the auth module (bench/mutation-modules.mjs) runs it for every mutant.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/companies/api-keys.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const raw = (method: string, path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method, headers });

describe('X-API-Key', () => {
  it('missing or empty: 401 that asks for it, with WWW-Authenticate', async () => {
    for (const headers of [{}, { 'x-api-key': '' }]) {
      const res = await raw('GET', '/api/v2/customers/', headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('ApiKey header="X-API-Key"');
      const body = await res.json();
      expect(body.type).toContain('unauthenticated');
      expect(body.detail).toBe('send your API key in the X-API-Key header');
    }
  });

  it('unknown, malformed or revoked: 401 that says so, with WWW-Authenticate', async () => {
    const unknown = `zupy_pk_${'A'.repeat(32)}`;
    for (const key of [unknown, `x${server.apiKey}`, `${server.apiKey}x`, server.apiKey.slice(0, -1)]) {
      const res = await raw('GET', '/api/v2/customers/', { 'x-api-key': key });
      expect(res.status, key).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('ApiKey header="X-API-Key"');
      expect((await res.json()).detail).toBe('the API key is not valid or was revoked');
    }
    const revoked = await createApiKey(server.runtime.ctx.db, server.companyId, {
      readOnly: false,
      now: new Date(),
    });
    expect((await raw('GET', '/api/v2/customers/', { 'x-api-key': revoked.key })).status).toBe(200);
    await server.runtime.ctx.db
      .updateTable('api_keys')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', revoked.id)
      .execute();
    expect((await raw('GET', '/api/v2/customers/', { 'x-api-key': revoked.key })).status).toBe(401);
  });

  it('is not asked on a public path (the OpenAPI document)', async () => {
    expect((await raw('GET', '/api/v2/openapi.json')).status).toBe(200);
  });

  it('is stored as its SHA-256 only, listed by its first 14 characters, which the audit log names', async () => {
    const rows = await server.runtime.ctx.db
      .selectFrom('api_keys')
      .select(['id', 'prefix', 'key_hash', 'read_only'])
      .where('company_id', '=', server.companyId)
      .orderBy('created_at')
      .execute();
    const mine = rows.find((r) => r.key_hash === createHash('sha256').update(server.apiKey).digest('hex'));
    expect(mine).toMatchObject({ prefix: server.apiKey.slice(0, 14), read_only: 0 });
    expect(mine!.id).toMatch(/^key_/);
    expect(JSON.stringify(rows)).not.toContain(server.apiKey);

    const created = await server.api.post('/api/v2/customers/', { phone: '11 98811-0042', name: 'Duda' });
    expect(created.status).toBe(201);
    const audit = (await server.api.get('/api/v2/audit-log/')).body.data;
    expect(audit[0]).toMatchObject({ key_prefix: server.apiKey.slice(0, 14) });
  });

  it('of a company that does not exist cannot be created', async () => {
    await expect(
      createApiKey(server.runtime.ctx.db, 'comp_nowhere', { readOnly: true, now: new Date() }),
    ).rejects.toMatchObject({ code: 'ZUPY_NOT_FOUND', message: 'company comp_nowhere not found' });
  });
});

describe('a read-only key', () => {
  let key: string;
  beforeAll(async () => {
    key = (await createApiKey(server.runtime.ctx.db, server.companyId, { readOnly: true, now: new Date() }))
      .key;
  });

  it('reads with GET, HEAD and OPTIONS: none is refused as a write', async () => {
    expect((await raw('GET', '/api/v2/customers/', { 'x-api-key': key })).status).toBe(200);
    expect((await raw('HEAD', '/api/v2/customers/', { 'x-api-key': key })).status).toBe(200);
    expect((await raw('OPTIONS', '/api/v2/customers/', { 'x-api-key': key })).status).not.toBe(403);
  });

  it('is refused a write with 403 that says why; the read-write key is not', async () => {
    for (const [method, path] of [
      ['POST', '/api/v2/customers/'],
      ['DELETE', '/api/v2/customers/NOBODY/'],
    ] as const) {
      const res = await raw(method, path, { 'x-api-key': key });
      expect(res.status, method).toBe(403);
      const body = await res.json();
      expect(body.type).toContain('read-only-key');
      expect(body.detail).toBe('this API key is read-only; use a read-write key to make changes');
    }
    // The read-write key gets past the check (to the member id's validation).
    expect((await raw('DELETE', '/api/v2/customers/NOBODY/', { 'x-api-key': server.apiKey })).status).toBe(
      422,
    );
  });

  it('is refused the one read that reveals a secret (an endpoint’s signing secret)', async () => {
    const endpoint = (
      await server.api.post('/api/v2/webhooks/endpoints/', { url: 'https://example.com/hook' })
    ).body;
    const path = `/api/v2/webhooks/endpoints/${endpoint.id}/secret/`;
    expect((await raw('GET', path, { 'x-api-key': key })).status).toBe(403);
    expect((await raw('GET', path, { 'x-api-key': server.apiKey })).status).toBe(200);
  });
});
