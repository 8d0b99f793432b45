import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../src/http/unsafe-text.js';
import { dumpDatabase } from './helpers/dump-database.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const TOO_DEEP = { field: 'body', detail: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH} levels`) };

/** A body nested 10,000 deep used to overflow the stack of the text check: a 500 (now a 422). */
describe('deeply nested JSON bodies', () => {
  let server: TestServer;
  let memberId: string;
  let endpointId: string;
  beforeAll(async () => {
    server = await startTestServer();
    memberId = (await server.api.post('/api/v2/customers/', JOAO)).body.customer.member_id;
    endpointId = (await server.api.post('/api/v2/webhooks/endpoints/', { url: 'http://127.0.0.1:9/x' })).body
      .id;
  });
  afterAll(() => server.close());

  const routes: [string, string][] = [
    ['POST', '/api/v2/customers/'],
    ['POST', '/api/v2/customers/{member}/points/add/'],
    ['POST', '/api/v2/customers/{member}/points/spend/'],
    ['PUT', '/api/v2/customers/{member}/tier/'],
    ['PUT', '/api/v2/loyalty/program/'],
    ['POST', '/api/v2/webhooks/endpoints/'],
    ['PATCH', '/api/v2/webhooks/endpoints/{endpoint}/'],
    ['PUT', '/api/v2/integrations/webhooks/'],
    ['POST', '/api/v2/webhooks/endpoints/{endpoint}/secret/rotate/'],
    ['POST', '/api/v2/webhooks/endpoints/{endpoint}/replay/'],
    ['POST', '/api/v2/webhooks/endpoints/{endpoint}/test/'],
    ['POST', '/api/v2/integrations/webhooks/test/'],
    ['DELETE', '/api/v2/webhooks/endpoints/{endpoint}/'],
  ];
  const at = (template: string) => template.replace('{member}', memberId).replace('{endpoint}', endpointId);

  it.each(routes)(
    '%s %s: 10,000-deep arrays and objects are a 422 naming the body',
    async (method, route) => {
      for (const body of [deepArray(10_000), deepObject(10_000)]) {
        const before = await dumpDatabase(server.runtime.ctx.db);
        const res = await server.api.request(method, at(route), body);
        expect(res.status, res.text).toBe(422);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body).toMatchObject({ code: 'ZUPY_VALIDATION_FAILED', status: 422, errors: [TOO_DEEP] });
        expect(await dumpDatabase(server.runtime.ctx.db)).toBe(before);
      }
    },
  );

  it('a body as deep as the 1 MB limit allows is refused quickly', async () => {
    const depth = 500_000;
    const started = Date.now();
    const res = await server.api.post('/api/v2/customers/', deepArray(depth));
    expect(res.status, res.text).toBe(422);
    expect(res.body.errors).toEqual([TOO_DEEP]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it(`${MAX_JSON_DEPTH} levels pass the depth check; ${MAX_JSON_DEPTH + 1} do not`, async () => {
    for (const make of [deepArray, deepObject]) {
      for (const depth of [MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH]) {
        const res = await server.api.post('/api/v2/customers/', make(depth));
        // Still no customer, but refused by the schema for its shape, not for its depth.
        expect(res.status, res.text).toBe(422);
        expect(res.body.errors).not.toContainEqual(TOO_DEEP);
      }
      const res = await server.api.post('/api/v2/customers/', make(MAX_JSON_DEPTH + 1));
      expect(res.status, res.text).toBe(422);
      expect(res.body.errors).toEqual([TOO_DEEP]);
    }
  });
});
