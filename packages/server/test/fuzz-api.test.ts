import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../src/http/unsafe-text.js';
import { dumpDatabase } from './helpers/dump-database.js';
import { onPostgres } from './helpers/test-database.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

/** Hostile input for every write route: never a 5xx, always a problem document, nothing changed. */
// Fewer runs on PostgreSQL, where each one dumps the database twice over the network.
const RUNS = onPostgres ? 25 : 60;

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const TOO_DEEP = {
  field: 'body',
  code: 'too_deep',
  detail: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH} levels`),
  params: { limit: MAX_JSON_DEPTH },
};

describe('fuzzing the API with hostile bodies', () => {
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

  const nasty = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme', maxLength: 50 }),
    fc.constantFrom(
      "'; drop table customers; --",
      '\u0000',
      '\ud800',
      '../../etc/passwd',
      '%00',
      'x'.repeat(5000),
      '\r\nX-Injected: 1',
      '__proto__',
    ),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 5 }),
    fc.object({ maxDepth: 2 }),
  );
  const bodies = (fields: string[]) =>
    fc.oneof(
      fc.dictionary(fc.constantFrom(...fields, '__proto__', 'constructor', 'extra'), nasty, { maxKeys: 6 }),
      nasty,
      fc.json().map((text) => ({ raw: text })),
    );

  const routes: [string, string, string[]][] = [
    ['POST', '/api/v2/customers/', ['phone', 'whatsapp', 'name', 'email', 'cpf', 'channel']],
    ['POST', '/api/v2/customers/{member}/points/add/', ['amount', 'reason', 'order_value']],
    ['POST', '/api/v2/customers/{member}/points/spend/', ['amount', 'reason']],
    ['PUT', '/api/v2/customers/{member}/tier/', ['tier']],
    ['PUT', '/api/v2/loyalty/program/', ['tiers_enabled', 'qualification_metric', 'tiers', 'welcome_reward']],
    ['POST', '/api/v2/webhooks/endpoints/', ['url', 'events', 'description']],
    ['PATCH', '/api/v2/webhooks/endpoints/{endpoint}/', ['url', 'events', 'description', 'enabled']],
    ['PUT', '/api/v2/integrations/webhooks/', ['webhook_url', 'webhook_events']],
    ['PATCH', '/api/v2/me/', ['notification_email', 'language']],
  ];

  const at = (template: string) => template.replace('{member}', memberId).replace('{endpoint}', endpointId);

  it.each(routes)('%s %s', async (method, template, fields) => {
    const path = at(template);
    await fc.assert(
      fc.asyncProperty(bodies(fields), async (body) => {
        const before = await dumpDatabase(server.runtime.ctx.db);
        const payload = typeof body === 'object' && body !== null && 'raw' in body ? String(body.raw) : body;
        const res = await server.api.request(method, path, payload === undefined ? 'null' : payload);
        expect(res.status, res.text).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get('content-type')).toContain('application/problem+json');
          expect(res.body).toMatchObject({
            status: res.status,
            type: expect.any(String),
            title: expect.any(String),
          });
          expect(await dumpDatabase(server.runtime.ctx.db)).toBe(before);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it.each(routes)(
    '%s %s: NUL and lone surrogates are a 422 naming the field',
    async (method, template, fields) => {
      const path = at(template);
      for (const bad of ['a\u0000b', '\ud800', 'x\udfff']) {
        const before = await dumpDatabase(server.runtime.ctx.db);
        const res = await server.api.request(method, path, { [fields[0]!]: bad });
        expect(res.status, res.text).toBe(422);
        expect(res.body.errors).toContainEqual({
          field: fields[0],
          code: 'unstorable_text',
          detail: expect.stringContaining('Unicode'),
        });
        expect(await dumpDatabase(server.runtime.ctx.db)).toBe(before);
      }
      const inPath = await server.api.get('/api/v2/customers/%00/');
      expect(inPath.status).toBe(422);
    },
  );

  // The deep-nesting check runs before any schema, so routes whose body is small or optional get it too.
  const deepRoutes: [string, string][] = [
    ...routes.map(([method, template]): [string, string] => [method, template]),
    ['POST', '/api/v2/webhooks/endpoints/{endpoint}/secret/rotate/'],
    ['POST', '/api/v2/webhooks/endpoints/{endpoint}/replay/'],
    ['POST', '/api/v2/webhooks/endpoints/{endpoint}/test/'],
    ['POST', '/api/v2/integrations/webhooks/test/'],
    ['DELETE', '/api/v2/webhooks/endpoints/{endpoint}/'],
  ];

  /** A body nested 10,000 deep used to overflow the stack of the text check: a 500 (now a 422). */
  it.each(deepRoutes)(
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
  it('hostile query strings and path ids', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary' }), fc.string(), async (a, b) => {
        for (const path of [
          `/api/v2/customers/?search=${encodeURIComponent(a)}&cursor=${encodeURIComponent(b)}`,
          `/api/v2/customers/${encodeURIComponent(a)}/`,
          `/api/v2/events/?after=${encodeURIComponent(a)}`,
          `/api/v2/webhooks/deliveries/?status=${encodeURIComponent(a)}`,
          `/api/v2/webhooks/endpoints/${encodeURIComponent(a)}/`,
        ]) {
          const res = await server.api.get(path);
          expect(res.status, `${path}: ${res.text}`).toBeLessThan(500);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
