import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createApiKey } from '../../src/companies/api-keys.js';
import { createCompany } from '../../src/companies/create-company.js';
import { loadConfig } from '../../src/config.js';
import type { WorkerOptions } from '../../src/delivery/delivery-worker.js';
import { buildApp } from '../../src/app/build-app.js';
import { serverOptionsOf } from '../../src/app/server-options.js';
import { startRuntime, type Runtime, type RuntimeOverrides } from '../../src/app/runtime.js';
import { databaseEnv, freshDatabaseUrl } from './test-database.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface ApiClient {
  request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
  get<T = any>(path: string): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  put<T = any>(path: string, body?: unknown): Promise<ApiResponse<T>>;
}

export interface TestServer {
  url: string;
  /** The PostgreSQL database's URL, when the suite runs on PostgreSQL. */
  databaseUrl: string | undefined;
  runtime: Runtime;
  app: FastifyInstance;
  dataDir: string;
  companyId: string;
  apiKey: string;
  api: ApiClient;
  /** A second company, for isolation checks. */
  newCompany(name: string): Promise<{ companyId: string; apiKey: string; api: ApiClient }>;
  readOnlyClient(): Promise<ApiClient>;
  close(): Promise<void>;
}

export function makeClient(url: string, apiKey: string | undefined): ApiClient {
  const request = async <T>(
    method: string,
    p: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const init: RequestInit = {
      method,
      headers: {
        ...(apiKey ? { 'x-api-key': apiKey } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
    };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(url + p, init);
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };
  return {
    request,
    get: (p) => request('GET', p),
    post: (p, b, h) => request('POST', p, b, h),
    put: (p, b) => request('PUT', p, b),
  };
}

export function tempDir(prefix = 'zupy-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A real server on 127.0.0.1 over a fresh SQLite file, with one company and its read-write key. */
export async function startTestServer(
  options: {
    env?: Record<string, string>;
    ctx?: RuntimeOverrides;
    worker?: boolean | Partial<WorkerOptions>;
    dataDir?: string;
    /** Reuse this PostgreSQL database (with `dataDir`, to reopen the same data); default: a fresh one. */
    databaseUrl?: string | undefined;
  } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const databaseUrl = options.databaseUrl ?? (await freshDatabaseUrl());
  const config = loadConfig({
    ...databaseEnv(databaseUrl),
    ZUPY_DATA_DIR: dataDir,
    ZUPY_LOG_LEVEL: 'silent',
    ZUPY_RATE_LIMIT: '100000',
    ZUPY_ALLOW_PRIVATE_NETWORK: '1',
    ...options.env,
  });
  const runtime = await startRuntime(config, options.ctx);
  const existing = await runtime.ctx.db
    .selectFrom('companies')
    .select('id')
    .where('id', '=', 'comp_bella_vista')
    .executeTakeFirst();
  const company = existing
    ? {
        company_id: existing.id,
        api_key: (await createApiKey(runtime.ctx.db, existing.id, { readOnly: false, now: new Date() })).key,
      }
    : await createCompany(runtime.ctx.db, { name: 'Bella Vista', id: 'comp_bella_vista' }, new Date());
  const app = await buildApp(runtime.ctx, {
    logLevel: config.logLevel,
    rateLimitPerMinute: config.rateLimitPerMinute,
    adminSourceMaps: config.adminSourceMaps,
    auditRetentionMs: config.auditRetentionMs,
    ...serverOptionsOf(config),
    runtime,
  });
  if (options.worker) runtime.startWorker(app.log, options.worker === true ? {} : options.worker);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    databaseUrl,
    runtime,
    app,
    dataDir,
    companyId: company.company_id,
    apiKey: company.api_key,
    api: makeClient(url, company.api_key),
    async newCompany(name) {
      const c = await createCompany(runtime.ctx.db, { name }, new Date());
      return { companyId: c.company_id, apiKey: c.api_key, api: makeClient(url, c.api_key) };
    },
    async readOnlyClient() {
      const { key } = await createApiKey(runtime.ctx.db, company.company_id, {
        readOnly: true,
        now: new Date(),
      });
      return makeClient(url, key);
    },
    async close() {
      await app.close();
      await runtime.close();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A valid CPF for tests: nine base digits and their check digits. */
export { cpfCheckDigits } from '../../src/customers/cpf.js';

export const JOAO = {
  phone: '(11) 96595-8122',
  name: 'João Silva',
  email: 'joao@example.com',
  cpf: '529.982.247-25',
};
