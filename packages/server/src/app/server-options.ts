import type { FastifyServerOptions } from 'fastify';
import type { TrustProxy } from '../config.js';

/** How the HTTP server treats its connections; both the API and the worker's server take these. */
export interface ServerOptions {
  /** ZUPY_TRUST_PROXY: whose `X-Forwarded-For` gives `request.ip` (limits, logs). Default: nobody's. */
  trustProxy?: TrustProxy;
}

/** The Fastify constructor options for {@link ServerOptions}. */
export function fastifyServerOptions(options: ServerOptions = {}): FastifyServerOptions {
  const trust = options.trustProxy ?? false;
  return {
    // A hop count is what Fastify does with a number, written out because its types omit numbers.
    trustProxy:
      typeof trust === 'number'
        ? (_address: string, hop: number) => hop < trust
        : typeof trust === 'boolean'
          ? trust
          : [...trust],
  };
}
