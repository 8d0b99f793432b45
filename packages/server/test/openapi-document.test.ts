import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig as loadRedoclyConfig, lintFromString } from '@redocly/openapi-core';
import { EVENT_TYPES } from '@zupy/webhooks';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from './helpers/chromium.js';
import { operationIdFor } from '../src/http/openapi-operations.js';
import { JOAO, startTestServer, tempDir, type TestServer } from './helpers/test-server.js';

/**
 * The OpenAPI document is generator-clean (issue 18, item 4): operationIds, every error answer as a
 * named Problem, optional parameters optional, the webhooks, a license; redocly's recommended rules
 * pass; openapi-typescript generates a client that compiles under `tsc --strict` and works; the
 * reference page at /docs is Zupy's, with no CSP error.
 */

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

let server: TestServer;
let doc: any;
beforeAll(async () => {
  server = await startTestServer();
  doc = (await server.api.get('/api/v2/openapi.json')).body;
});
afterAll(() => server.close());

const operations = () =>
  Object.entries<any>(doc.paths).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ method: m, path: p, op: item[m] })),
  );

describe('the OpenAPI document', () => {
  it('gives every operation and webhook a unique operationId, Stripe-style by default', () => {
    const ids = [
      ...operations().map((o) => o.op.operationId),
      ...Object.values<any>(doc.webhooks).map((w) => w.post.operationId),
    ];
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/api/v2/customers/{member_id}/points/history/'].get.operationId).toBe(
      'getCustomersMemberIdPointsHistory',
    );
    expect(doc.webhooks['tier.upgraded'].post.operationId).toBe('eventTierUpgraded');
    expect(operationIdFor('post', '/api/v2/webhooks/endpoints/{id}/secret/rotate/')).toBe(
      'postWebhooksEndpointsIdSecretRotate',
    );
  });

  it('declares the error answers as Problem documents: 422 with errors, write-only ones on writes only', () => {
    const { schemas } = doc.components;
    expect(Object.keys(schemas).filter((name) => /^def-\d+$/.test(name))).toEqual([]);
    expect(schemas.Problem.required).toEqual(['type', 'title', 'status', 'detail', 'instance', 'code']);
    expect(schemas.ValidationProblem.allOf[1].required).toEqual(['errors']);
    for (const { method, path: p, op } of operations()) {
      const at = `${method} ${p}`;
      for (const status of ['401', '429', '500', '503'])
        expect(op.responses[status]?.content['application/problem+json'].schema, `${at} ${status}`).toEqual({
          $ref: '#/components/schemas/Problem',
        });
      const write = method !== 'get';
      expect(op.responses['403'] !== undefined, `${at} 403`).toBe(write);
      expect(op.responses['507'] !== undefined, `${at} 507`).toBe(write);
      expect(op.responses['404'] !== undefined, `${at} 404`).toBe(p.includes('{'));
      expect(op.responses['415'] !== undefined, `${at} 415`).toBe(op.requestBody !== undefined);
      if (op.requestBody || (op.parameters ?? []).length > 0)
        expect(op.responses['422'].content['application/problem+json'].schema.$ref, at).toBe(
          '#/components/schemas/ValidationProblem',
        );
    }
    // A GET without input has no 422 to declare; a write's 409 covers "limit reached" as well.
    expect(doc.paths['/api/v2/me/'].get.responses['422']).toBeUndefined();
    expect(doc.paths['/api/v2/webhooks/endpoints/'].post.responses['409'].description).toContain(
      'Limit reached',
    );
    expect(doc.paths['/api/v2/customers/'].post.responses['429'].headers['Retry-After']).toBeDefined();
  });

  it('marks a query parameter with a default optional; the license and servers are there', () => {
    const list = doc.paths['/api/v2/customers/'].get.parameters;
    expect(list.find((p: any) => p.name === 'page_size')).toMatchObject({
      required: false,
      schema: { default: 25 },
    });
    expect(doc.info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
    expect(doc.servers).toEqual([{ url: '/', description: 'This Zupy server' }]);
    expect(Object.keys(doc.webhooks)).toEqual([...EVENT_TYPES]);
  });

  it('passes redocly’s recommended rules (redocly.yaml) with no error and no warning', async () => {
    const config = await loadRedoclyConfig({ configPath: path.join(ROOT, 'redocly.yaml') });
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: 'openapi.json',
      config,
    });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`)).toEqual([]);
  });
});

/** A program an integrator would write against the generated types: strict, no casts. */
const CLIENT_PROGRAM = `import createClient from 'openapi-fetch';
import type { paths, components } from './zupy-api.js';

type Problem = components['schemas']['Problem'];

const client = createClient<paths>({ baseUrl: process.argv[2]!, headers: { 'X-API-Key': process.argv[3]! } });

async function main(): Promise<void> {
  const created = await client.POST('/api/v2/customers/', {
    body: { phone: ${JSON.stringify(JOAO.phone)}, name: ${JSON.stringify(JOAO.name)} },
  });
  if (created.error) throw new Error(created.error.detail);
  const memberId: string = created.data.customer.member_id;
  // page_size is optional: it defaults to 25.
  const page = await client.GET('/api/v2/customers/', { params: { query: { search: 'João' } } });
  if (page.error) throw new Error(page.error.detail);
  const missing = await client.GET('/api/v2/customers/{member_id}/', { params: { path: { member_id: 'ZP-00000000' } } });
  const problem: Problem | undefined = missing.error;
  const bad = await client.POST('/api/v2/customers/{member_id}/points/add/', {
    params: { path: { member_id: memberId } },
    body: { amount: 0 },
  });
  const fields = bad.error && 'errors' in bad.error ? (bad.error.errors ?? []).map((e) => e.field) : [];
  console.log(JSON.stringify({ memberId, count: page.data.meta.count, missing: problem?.status, fields }));
}
await main();
`;

describe('a client generated with openapi-typescript', () => {
  it('compiles with tsc --strict and talks to the server', async () => {
    const dir = tempDir('zupy-openapi-client-');
    try {
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      fs.writeFileSync(path.join(dir, 'zupy-api.ts'), astToString(await openapiTS(doc)));
      fs.writeFileSync(path.join(dir, 'client.ts'), CLIENT_PROGRAM);
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
      await run(
        process.execPath,
        [
          TSC,
          '--strict',
          '--noUncheckedIndexedAccess',
          '--target',
          'es2022',
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          '--skipLibCheck',
          '--outDir',
          'out',
          'client.ts',
        ],
        { cwd: dir },
      ).catch((error: { stdout: string }) => {
        throw new Error(`tsc --strict failed:\n${error.stdout}`);
      });
      const { stdout } = await run(process.execPath, ['out/client.js', server.url, server.apiKey], {
        cwd: dir,
      });
      const result = JSON.parse(stdout);
      expect(result.memberId).toMatch(/^ZP-[0-9A-Z]{8}$/);
      expect(result.count).toBe(1);
      expect(result.missing).toBe(404);
      expect(result.fields).toEqual(['amount']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the reference page at /docs', () => {
  it('is Zupy’s, in a real Chromium, with no console or CSP error', async () => {
    expect(fs.existsSync(CHROMIUM), 'apt-get install -y chromium').toBe(true);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/docs/`);
      await page.locator('.info .title').waitFor();
      expect(await page.title()).toBe('Zupy API reference');
      expect(await page.locator('.info .title').innerText()).toContain('Zupy API');
      const logo = page.locator('.topbar-wrapper img');
      expect(await logo.getAttribute('src')).toContain('data:image/svg+xml');
      expect(await logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
      const topbar = await page
        .locator('.swagger-ui .topbar')
        .evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(topbar).toBe('rgb(255, 255, 255)');
      await page.locator('#operations-Customers-getCustomers').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
