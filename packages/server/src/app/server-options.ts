import type { Server } from 'node:http';
import type { FastifyHttpOptions, FastifyInstance } from 'fastify';
import type { Config, TrustProxy } from '../config.js';
import { AccessLog } from '../http/access-log.js';

/** How the HTTP server treats its connections; both the API and the worker's server take these. */
export interface ServerOptions {
  /** ZUPY_TRUST_PROXY: whose `X-Forwarded-For` gives `request.ip` (limits, logs). Default: nobody's. */
  trustProxy?: TrustProxy;
  /** ZUPY_REQUEST_TIMEOUT: headers and body within this, or 408 and the connection closed (ms). */
  requestTimeoutMs?: number;
  /** ZUPY_HEADERS_TIMEOUT: headers within this (ms); at most `requestTimeoutMs`. */
  headersTimeoutMs?: number;
  /** ZUPY_KEEP_ALIVE_TIMEOUT: an idle keep-alive connection is closed after this (ms). */
  keepAliveTimeoutMs?: number;
  /** ZUPY_MAX_CONNECTIONS: open connections at once. */
  maxConnections?: number;
  /**
   * ZUPY_SHUTDOWN_GRACE: on shutdown, answers in progress get this long (ms) to finish; then every
   * connection still open is closed (a client that never reads its answer would keep the process up).
   */
  shutdownGraceMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 72_000;
export const DEFAULT_MAX_CONNECTIONS = 1024;
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** The Fastify constructor options for {@link ServerOptions}. */
export function fastifyServerOptions(options: ServerOptions = {}): FastifyHttpOptions<Server> {
  const trust = options.trustProxy ?? false;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const headersTimeout = Math.min(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout);
  const keepAliveTimeout = options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
  return {
    requestTimeout,
    keepAliveTimeout,
    // One log line per request (http/access-log.ts).
    logController: new AccessLog(),
    http: {
      requestTimeout,
      headersTimeout,
      keepAliveTimeout,
      // Node checks the two timeouts on this interval (30 s by default, longer than a short timeout).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    // A hop count is what Fastify does with a number, written out because its types omit numbers.
    trustProxy:
      typeof trust === 'number'
        ? (_address: string, hop: number) => hop < trust
        : typeof trust === 'boolean'
          ? trust
          : [...trust],
  };
}

/** What Fastify's constructor cannot set: the cap on open connections, and the deadline of closing. */
export function limitServer(app: FastifyInstance, options: ServerOptions = {}): void {
  app.server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  // Fastify closes idle connections at once and waits for busy ones; a busy one whose client stopped
  // reading (a large answer left unread) would wait for ever.
  const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  let deadline: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    deadline = setTimeout(() => app.server.closeAllConnections(), graceMs);
    deadline.unref();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    clearTimeout(deadline);
    done();
  });
}

/** The {@link ServerOptions} the configuration asks for. */
export function serverOptionsOf(
  config: Pick<
    Config,
    | 'trustProxy'
    | 'requestTimeoutMs'
    | 'headersTimeoutMs'
    | 'keepAliveTimeoutMs'
    | 'maxConnections'
    | 'shutdownGraceMs'
  >,
): ServerOptions {
  return {
    trustProxy: config.trustProxy,
    requestTimeoutMs: config.requestTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    maxConnections: config.maxConnections,
    shutdownGraceMs: config.shutdownGraceMs,
  };
}
