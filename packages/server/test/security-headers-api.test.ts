import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_DIST } from '../src/http/admin-static.js';
import { makeClient, startTestServer, type TestServer } from './helpers/test-server.js';

const expectApiHeaders = (headers: Headers, what: string) => {
  expect(headers.get('cache-control'), what).toBe('no-store');
  expect(headers.get('x-content-type-options'), what).toBe('nosniff');
};

describe('every /api answer says no-store and nosniff', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('on successes, problems, 401s, 404s and 415s alike', async () => {
    const anonymous = makeClient(server.url, undefined);
    const answers = {
      'a list': await server.api.get('/api/v2/customers/'),
      'a 201': await server.api.post('/api/v2/webhooks/endpoints/', { url: 'http://127.0.0.1:9/x' }),
      'a 422 problem': await server.api.post('/api/v2/customers/', { phone: 'nope' }),
      'a 400 problem': await server.api.post('/api/v2/customers/', '{"phone":'),
      'a 415 problem': await server.api.post('/api/v2/customers/', 'x', { 'content-type': 'text/plain' }),
      'a 404 of an unknown route': await server.api.get('/api/v2/no-such-thing/'),
      'a 404 of an unknown customer': await server.api.get('/api/v2/customers/ZP-00000000/'),
      'a 401 without a key': await anonymous.get('/api/v2/customers/'),
      'a 401 with a wrong key': await makeClient(server.url, 'zk_wrong').get('/api/v2/customers/'),
      'the OpenAPI document': await anonymous.get('/api/v2/openapi.json'),
      'duplicate slashes': await server.api.get('//api/v2/customers/'),
    };
    expect(answers['a 401 without a key'].status).toBe(401);
    expect(answers['a 422 problem'].status).toBe(422);
    expect(answers['a 404 of an unknown route'].status).toBe(404);
    for (const [what, res] of Object.entries(answers))
      expectApiHeaders(res.headers, `${what} (${res.status})`);
  });
});

describe("the admin panel's source maps", () => {
  const assets = path.join(ADMIN_DIST, 'assets');
  const map = fs.existsSync(assets)
    ? fs.readdirSync(assets).find((name) => name.endsWith('.js.map'))
    : undefined;
  let server: TestServer | undefined;
  afterAll(() => server?.close());

  // Every answer's body is read: a body left unread keeps its connection busy, and closing the
  // server then waits for it (a 100 kB script need not fit in the socket's buffers).
  const get = async (url: string, method = 'GET') => {
    const res = await fetch(url, { method });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it('are not served unless ZUPY_ADMIN_SOURCE_MAPS=1', async () => {
    expect(map, 'run `npm run build` first: the panel is built with source maps').toBeDefined();
    server = await startTestServer();
    const script = map!.replace(/\.map$/, '');
    expect((await get(`${server.url}/admin/assets/${script}`)).status).toBe(200);
    for (const p of [
      `/admin/assets/${map}`,
      `/admin/assets/${map}?x=1`,
      `//admin/assets/${map}`,
      '/admin/x.map',
    ]) {
      const res = await get(server.url + p);
      expect(res.status, p).toBe(404);
      expect(res.type, p).toContain('application/problem+json');
    }
    expect((await get(`${server.url}/admin/assets/${map}`, 'HEAD')).status).toBe(404);
  });

  it('are served with ZUPY_ADMIN_SOURCE_MAPS=1', async () => {
    await server?.close();
    server = await startTestServer({ env: { ZUPY_ADMIN_SOURCE_MAPS: '1' } });
    const res = await get(`${server.url}/admin/assets/${map}`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ version: 3 });
  });
});
