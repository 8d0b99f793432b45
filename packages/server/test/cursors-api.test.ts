import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type ApiClient, type ApiResponse, type TestServer } from './helpers/test-server.js';

const TOTAL = 7;

/** Cursors were global row ids in base64: readable (how busy every company together is) and forgeable. */
describe('list cursors through the API', () => {
  let server: TestServer;
  let other: ApiClient;
  beforeAll(async () => {
    server = await startTestServer();
    other = (await server.newCompany('Other')).api;
    for (let i = 0; i < TOTAL; i++) {
      const res = await server.api.post('/api/v2/customers/', {
        phone: `(11) 9659${i}-81${10 + i}`,
        name: `Customer ${i}`,
      });
      expect(res.status, res.text).toBe(201);
    }
  });
  afterAll(() => server.close());

  const walk = async (api: ApiClient, path: string) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const res: ApiResponse = await api.get(`${path}page_size=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status, res.text).toBe(200);
      seen.push(...res.body.data.map((c: { member_id: string }) => c.member_id));
      if (!res.body.meta.has_next) return seen;
      cursor = res.body.meta.cursor;
    }
    throw new Error('never reached the last page');
  };

  it('pages still walk the whole list, once each', async () => {
    const seen = await walk(server.api, '/api/v2/customers/?');
    expect(seen).toHaveLength(TOTAL);
    expect(new Set(seen).size).toBe(TOTAL);
  });

  it('a cursor from company A is refused for company B with a 422 naming the cursor', async () => {
    const page = await server.api.get('/api/v2/customers/?page_size=2');
    const cursor = page.body.meta.cursor as string;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const res = await other.get(`/api/v2/customers/?cursor=${cursor}`);
    expect(res.status, res.text).toBe(422);
    expect(res.body).toMatchObject({
      code: 'ZUPY_VALIDATION_FAILED',
      errors: [{ field: 'cursor', code: 'invalid_cursor', detail: 'not a cursor returned by this API' }],
    });
    const feed = await server.api.get('/api/v2/events/?page_size=1');
    const after = feed.body.meta.cursor as string;
    expect((await server.api.get(`/api/v2/events/?after=${after}`)).status).toBe(200);
    const stolen = await other.get(`/api/v2/events/?after=${after}`);
    expect(stolen.status).toBe(422);
    expect(stolen.body.errors).toEqual([
      { field: 'after', code: 'invalid_cursor', detail: 'not a cursor returned by this API' },
    ]);
  });

  it('a cursor with a flipped byte is refused', async () => {
    const page = await server.api.get('/api/v2/customers/?page_size=2');
    const raw = Buffer.from(page.body.meta.cursor as string, 'base64url');
    for (const at of [0, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[at]! ^= 0x01;
      const res = await server.api.get(`/api/v2/customers/?cursor=${tampered.toString('base64url')}`);
      expect(res.status, res.text).toBe(422);
      expect(res.body.errors).toEqual([
        { field: 'cursor', code: 'invalid_cursor', detail: 'not a cursor returned by this API' },
      ]);
    }
  });

  it('a cursor does not carry the row id in the clear, nor can one be forged from an id', async () => {
    const page = await server.api.get('/api/v2/customers/?page_size=2');
    expect(Buffer.from(page.body.meta.cursor as string, 'base64url').toString('latin1')).not.toMatch(/p:\d/);
    const forged = Buffer.from(`p:${TOTAL - 1}`).toString('base64url');
    expect((await server.api.get(`/api/v2/customers/?cursor=${forged}`)).status).toBe(422);
  });
});
