import type { EventType } from '@zupy/webhooks';
import { request } from 'undici';
import { startRuntime, type Runtime } from '../app/runtime.js';
import { resolveCompanyId } from '../companies/list-companies.js';
import { loadConfig } from '../config.js';
import { ZupyError, type ErrorCode } from '../errors.js';
import {
  createEndpoint,
  deleteEndpoint,
  endpointView,
  findEndpoint,
  listEndpoints,
  revealSecret,
  type EndpointInput,
  type EndpointView,
} from '../webhooks/endpoint-store.js';
import { sendTestEvent, type TestSendResult } from '../webhooks/test-send.js';
import { companySubject, withCliAudit } from '../audit/cli-audit.js';

/**
 * A company's webhook endpoints as the CLI reaches them: in the local data dir (the default, like
 * `zupy company create`), or through a running server's API with an API key (`--api-key`, the way
 * `stripe listen` works against a remote account). The commands do not care which.
 */
export interface EndpointAccess {
  /** Where the endpoints live, for messages: the company id, or the server's URL. */
  readonly where: string;
  list(): Promise<EndpointView[]>;
  create(input: EndpointInput): Promise<EndpointView & { secret: string }>;
  remove(id: string): Promise<void>;
  secret(id: string): Promise<string>;
  /** A test send through the real pipeline: signed with the endpoint's secret, logged as a delivery. */
  test(id: string, event: EventType): Promise<TestSendResult>;
  close(): Promise<void>;
}

export interface AccessOptions {
  company?: string | undefined;
  apiKey?: string | undefined;
  apiUrl?: string | undefined;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/** An API key means the API of `apiUrl`; otherwise the local data dir. */
export async function openEndpointAccess(options: AccessOptions): Promise<EndpointAccess> {
  const apiKey = options.apiKey;
  if (apiKey !== undefined && apiKey !== '') {
    if (options.company !== undefined)
      throw new ZupyError(
        'ZUPY_VALIDATION_FAILED',
        '--company is for the local data dir; an API key names its own company',
      );
    return apiAccess(options.apiUrl ?? DEFAULT_API_URL, apiKey);
  }
  const runtime = await startRuntime(loadConfig());
  try {
    return localAccess(runtime, await resolveCompanyId(runtime.ctx.db, options.company));
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

function localAccess(runtime: Runtime, companyId: string): EndpointAccess {
  const ctx = runtime.ctx;
  return {
    where: companyId,
    list: async () =>
      Promise.all((await listEndpoints(ctx.db, companyId)).map((row) => endpointView(ctx.db, row))),
    // Each write records its audit entry (`cli endpoint create` …) in its own transaction.
    create: (input) =>
      withCliAudit(ctx.db, 'endpoint create', companySubject(companyId), () =>
        createEndpoint(ctx, companyId, input),
      ),
    remove: (id) =>
      withCliAudit(ctx.db, 'endpoint delete', companySubject(companyId, id), () =>
        deleteEndpoint(ctx, companyId, id),
      ),
    secret: async (id) => (await revealSecret(ctx, companyId, id)).secret,
    test: async (id, event) => {
      await findEndpoint(ctx.db, companyId, id);
      return withCliAudit(ctx.db, 'trigger', companySubject(companyId, id), () =>
        sendTestEvent(ctx, companyId, id, event),
      );
    },
    close: () => runtime.close(),
  };
}

const CODES_BY_STATUS: Record<number, ErrorCode> = {
  401: 'ZUPY_UNAUTHENTICATED',
  403: 'ZUPY_READ_ONLY_KEY',
  404: 'ZUPY_NOT_FOUND',
  409: 'ZUPY_CONFLICT',
};

function apiAccess(baseUrl: string, apiKey: string): EndpointAccess {
  const root = `${baseUrl.replace(/\/+$/, '')}/api/v2`;
  async function call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let answer;
    try {
      answer = await request(`${root}${path}`, {
        method,
        headers: {
          'x-api-key': apiKey,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new ZupyError(
        'ZUPY_VALIDATION_FAILED',
        `cannot reach the Zupy API at ${baseUrl} (${(error as Error).message}); is \`zupy serve\` running there? (--api-url)`,
      );
    }
    const text = await answer.body.text();
    if (answer.statusCode >= 200 && answer.statusCode < 300)
      return (text ? JSON.parse(text) : undefined) as T;
    let detail = text.slice(0, 500);
    try {
      const problem = JSON.parse(text) as { detail?: string; title?: string };
      detail = problem.detail ?? problem.title ?? detail;
    } catch {
      // Not a problem document: shown as it came.
    }
    throw new ZupyError(
      CODES_BY_STATUS[answer.statusCode] ?? 'ZUPY_VALIDATION_FAILED',
      `${method} ${path} answered ${answer.statusCode}: ${detail}`,
    );
  }
  const endpoint = (id: string) => `/webhooks/endpoints/${encodeURIComponent(id)}/`;
  return {
    where: baseUrl,
    list: async () => (await call<{ data: EndpointView[] }>('GET', '/webhooks/endpoints/')).data,
    create: (input) => call('POST', '/webhooks/endpoints/', input),
    remove: async (id) => {
      await call('DELETE', endpoint(id));
    },
    secret: async (id) => (await call<{ secret: string }>('GET', `${endpoint(id)}secret/`)).secret,
    test: (id, event) => call('POST', `${endpoint(id)}test/`, { event }),
    close: () => Promise.resolve(),
  };
}
