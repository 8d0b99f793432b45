import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ZupyError } from '../errors.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';

/** Who an API key belongs to: what every authenticated route needs to know of its caller. */
export interface ApiKeyIdentity {
  keyId: string;
  /** The key's first characters, as listings show them (the audit log names keys by it). */
  keyPrefix: string;
  companyId: string;
  readOnly: boolean;
}

/** Finds the active key (companies/api-keys.ts), injected so this plumbing knows no feature. */
export type ApiKeyLookup = (key: string) => Promise<ApiKeyIdentity | undefined>;

declare module 'fastify' {
  interface FastifyRequest {
    auth: ApiKeyIdentity | null;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The caller's identity on an authenticated route. */
export function identity(request: FastifyRequest): ApiKeyIdentity {
  if (request.auth === null)
    throw new ZupyError('ZUPY_UNAUTHENTICATED', 'send your API key in the X-API-Key header');
  return request.auth;
}

/** `X-API-Key` on every route of the scope; a read-only key may only read (403 on writes). */
export function installApiKeyAuth(
  app: FastifyInstance,
  findApiKey: ApiKeyLookup,
  publicPaths: ReadonlySet<string>,
): void {
  app.decorateRequest('auth', null);
  const limiter = new AuthFailureLimiter();
  // The key is looked up first (a hash and an indexed query), so a valid key is never refused by the
  // guessing limiter: only an address that keeps sending wrong or missing keys is, with 429.
  const refuseIfGuessing = (request: FastifyRequest): void => {
    const wait = limiter.retryAfter(request.ip);
    if (wait > 0) {
      throw new ZupyError(
        'ZUPY_RATE_LIMITED',
        `too many requests with an invalid API key; retry in ${wait} s`,
        {
          headers: { 'Retry-After': String(wait) },
        },
      );
    }
  };
  app.addHook('onRequest', async (request) => {
    if (publicPaths.has(request.routeOptions.url ?? '')) return;
    const header = request.headers['x-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || key === '') {
      refuseIfGuessing(request);
      throw new ZupyError('ZUPY_UNAUTHENTICATED', 'send your API key in the X-API-Key header', {
        headers: { 'WWW-Authenticate': 'ApiKey header="X-API-Key"' },
      });
    }
    const found = await findApiKey(key);
    if (!found) {
      refuseIfGuessing(request);
      limiter.recordFailure(request.ip);
      throw new ZupyError('ZUPY_UNAUTHENTICATED', 'the API key is not valid or was revoked', {
        headers: { 'WWW-Authenticate': 'ApiKey header="X-API-Key"' },
      });
    }
    request.auth = found;
    const config = request.routeOptions.config as { requiresReadWrite?: boolean } | undefined;
    const writes = !READ_METHODS.has(request.method) || config?.requiresReadWrite === true;
    if (writes && found.readOnly) {
      throw new ZupyError(
        'ZUPY_READ_ONLY_KEY',
        'this API key is read-only; use a read-write key to make changes',
      );
    }
  });
}
