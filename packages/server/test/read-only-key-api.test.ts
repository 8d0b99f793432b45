import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOAO, startTestServer, type ApiClient, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let readOnly: ApiClient;
let memberId: string;
let endpointId: string;
let program: Record<string, unknown>;
beforeAll(async () => {
  server = await startTestServer();
  readOnly = await server.readOnlyClient();
  memberId = (await server.api.post('/api/v2/customers/', JOAO)).body.customer.member_id;
  const endpoint = await server.api.post('/api/v2/webhooks/endpoints/', {
    url: 'http://127.0.0.1:9/hook',
    description: 'CRM',
  });
  expect(endpoint.status).toBe(201);
  endpointId = endpoint.body.id;
  program = (await server.api.get('/api/v2/loyalty/program/')).body;
});
afterAll(() => server.close());

async function eventTypes(): Promise<string[]> {
  const rows = await server.runtime.ctx.db.selectFrom('events').select('type').orderBy('seq').execute();
  return rows.map((r) => r.type);
}

/** What every write below could change, read with the read-write key. */
async function snapshot(): Promise<unknown> {
  const read = async (path: string) => {
    const res = await server.api.get(path);
    return { status: res.status, body: res.body };
  };
  return {
    endpoint: await read(`/api/v2/webhooks/endpoints/${endpointId}/`),
    endpoints: await read('/api/v2/webhooks/endpoints/'),
    program: await read('/api/v2/loyalty/program/'),
    customer: await read(`/api/v2/customers/${memberId}/`),
    integration: await read('/api/v2/integrations/webhooks/'),
    events: await eventTypes(),
  };
}

// PATCH /me/ with a read-only key is tested in me-settings-api.test.ts, POST in customers-api.test.ts.
describe('a read-only key is refused every write method, and nothing changes', () => {
  const writes: [string, string, () => string, () => unknown][] = [
    [
      'PATCH',
      'an endpoint',
      () => `/api/v2/webhooks/endpoints/${endpointId}/`,
      () => ({ description: 'taken over', enabled: false }),
    ],
    ['DELETE', 'an endpoint', () => `/api/v2/webhooks/endpoints/${endpointId}/`, () => undefined],
    [
      'PUT',
      'the loyalty program',
      () => '/api/v2/loyalty/program/',
      () => ({ ...program, qualification_metric: 'total_spent' }),
    ],
    ['PUT', 'a customer’s tier', () => `/api/v2/customers/${memberId}/tier/`, () => ({ tier: 'gold' })],
    [
      'PUT',
      'the single webhook URL',
      () => '/api/v2/integrations/webhooks/',
      () => ({ webhook_url: 'http://127.0.0.1:9/other' }),
    ],
  ];

  it.each(writes)('%s %s: 403 read-only-key', async (method, _what, path, body) => {
    const before = await snapshot();
    const res = await readOnly.request(method, path(), body());
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      status: 403,
      code: 'ZUPY_READ_ONLY_KEY',
      type: expect.stringContaining('read-only-key'),
      instance: path(),
    });
    expect(await snapshot()).toEqual(before);
  });

  it('each of those writes with the read-write key does change what the snapshot reads', async () => {
    // The DELETE last, so that the PATCH still finds the endpoint.
    for (const [method, what, path, body] of [...writes].sort(
      ([a], [b]) => Number(a === 'DELETE') - Number(b === 'DELETE'),
    )) {
      const before = await snapshot();
      const res = await server.api.request(method, path(), body());
      expect(res.status, `${method} ${what}`).toBeLessThan(300);
      expect(await snapshot(), `${method} ${what}`).not.toEqual(before);
    }
  });
});
