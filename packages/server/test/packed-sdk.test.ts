import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOAO, startTestServer, tempDir, type TestServer } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SDK = path.join(ROOT, 'packages/webhooks');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

/** A receiver written the way an integrator would, in the scratch project's own module system. */
const RECEIVER = {
  cjs: `const http = require('node:http');
const { createWebhookHandler } = require('@zupy/webhooks');
const { createNodeListener } = require('@zupy/webhooks/node');
`,
  esm: `import http from 'node:http';
import { createWebhookHandler } from '@zupy/webhooks';
import { createNodeListener } from '@zupy/webhooks/node';
`,
};
const RECEIVER_BODY = `let listener = (_req, res) => res.writeHead(503).end();
// The endpoint's secret arrives on stdin once Zupy has created the endpoint for this URL.
process.stdin.once('data', (line) => {
  const secret = line.toString().trim();
  listener = createNodeListener(createWebhookHandler({
    secret,
    on: { 'customer.registered': (event) => console.log('verified customer.registered ' + event.customer.member_id) },
  }));
});
const server = http.createServer((req, res) => listener(req, res));
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

/** The subpaths typed under TypeScript's oldest resolution, as Express/CommonJS projects still use. */
const TYPED_PROGRAM = `import { createWebhookHandler, type CustomerRegisteredEvent } from '@zupy/webhooks';
import { createFetchHandler } from '@zupy/webhooks/fetch';
import { EVENT_TYPES, isEventType } from '@zupy/webhooks/events';
import type { createExpressMiddleware } from '@zupy/webhooks/express';
import type { createNodeListener } from '@zupy/webhooks/node';
import type { registerZupyWebhook } from '@zupy/webhooks/fastify';

const handler = createWebhookHandler({
  secret: 'whsec_x',
  on: { 'customer.registered': (event: CustomerRegisteredEvent) => void event.customer.member_id },
});
export const POST: (request: Request) => Promise<Response> = createFetchHandler(handler);
export const known: boolean = isEventType(EVENT_TYPES[0]);
export type Adapters = [typeof createExpressMiddleware, typeof createNodeListener, typeof registerZupyWebhook];
`;

let tarball: string;
let server: TestServer;
const children: ChildProcess[] = [];
const scratch = tempDir('zupy-packed-');

beforeAll(async () => {
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: SDK });
  tarball = path.join(scratch, stdout.trim().split('\n').pop()!);
  server = await startTestServer({ worker: true });
}, 120_000);
afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await server?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A new project of that module system with only the packed tarball installed (no registry needed). */
async function scratchProject(kind: 'cjs' | 'esm'): Promise<string> {
  const dir = path.join(scratch, kind);
  fs.mkdirSync(dir);
  const manifest = { name: `scratch-${kind}`, private: true, type: kind === 'cjs' ? 'commonjs' : 'module' };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
    cwd: dir,
  });
  return dir;
}

// The package is the same whatever database the server runs on: once, on SQLite.
describe.skipIf(process.env.ZUPY_TEST_DB === 'postgres')(
  'the packed @zupy/webhooks, installed from its tarball',
  () => {
    it('holds its licence, and sources for every source map it ships', async () => {
      const { stdout } = await run('tar', ['tzf', tarball]);
      const files = stdout.split('\n').filter(Boolean);
      expect(files).toContain('package/LICENSE');
      expect(files.filter((f) => f.endsWith('.test.ts'))).toEqual([]);
      const dir = path.join(scratch, 'unpacked');
      fs.mkdirSync(dir);
      await run('tar', ['xzf', tarball, '-C', dir]);
      const maps = files.filter((f) => f.endsWith('.map'));
      expect(maps.length).toBeGreaterThan(10);
      for (const map of maps) {
        const { sources } = JSON.parse(fs.readFileSync(path.join(dir, map), 'utf8')) as { sources: string[] };
        for (const source of sources) {
          expect(
            fs.existsSync(path.resolve(path.dirname(path.join(dir, map)), source)),
            `${map} → ${source}`,
          ).toBe(true);
        }
      }
    });

    it.each(['cjs', 'esm'] as const)('verifies a real delivery from Zupy in a %s project', async (kind) => {
      const dir = await scratchProject(kind);
      const file = path.join(dir, kind === 'cjs' ? 'receiver.cjs' : 'receiver.mjs');
      fs.writeFileSync(file, RECEIVER[kind] + RECEIVER_BODY);
      const child = spawn(process.execPath, [file], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
      children.push(child);
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const port = await waitUntil(() => /listening (\d+)/.exec(output)?.[1]);
      const { secret } = (
        await server.api.post('/api/v2/webhooks/endpoints/', { url: `http://127.0.0.1:${port}/` })
      ).body as { secret: string };
      child.stdin.write(`${secret}\n`);
      const phone = kind === 'cjs' ? '+5511965958122' : '+5511965958123';
      const reg = await server.api.post('/api/v2/customers/', { ...JOAO, phone, email: null, cpf: null });
      expect(reg.status).toBe(201);
      const memberId = reg.body.customer.member_id as string;
      await waitUntil(() => (output.includes(`verified customer.registered ${memberId}`) ? true : undefined));
      expect(output).not.toMatch(/Error/);
    });

    it('types every subpath under moduleResolution node10 (CommonJS) and nodenext (ESM)', async () => {
      for (const [kind, compilerOptions] of [
        ['cjs', { module: 'commonjs', moduleResolution: 'node10' }],
        ['esm', { module: 'nodenext', moduleResolution: 'nodenext' }],
      ] as const) {
        const dir = fs.existsSync(path.join(scratch, kind))
          ? path.join(scratch, kind)
          : await scratchProject(kind);
        fs.writeFileSync(path.join(dir, 'program.ts'), TYPED_PROGRAM);
        const tsconfig = {
          compilerOptions: {
            ...compilerOptions,
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            lib: ['ES2022', 'DOM'],
            types: [],
          },
          files: ['program.ts'],
        };
        fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
        const result = await run(process.execPath, [TSC, '-p', dir]).catch((e: { stdout: string }) => e);
        expect('stdout' in result ? result.stdout : '', kind).toBe('');
      }
    });
  },
);
