// The peers' sending half in the fleet, as bench/peers/send.mjs but to many origins: HMAC-SHA256-signed
// POSTs (the SDK's Standard Webhooks headers, a secret per endpoint) through one undici Agent (a
// keep-alive pool per origin, at most 64 connections each, as Zupy's), with Zupy's default 10 s
// deadline for the headers and the body. The bench's CA reaches Node as NODE_EXTRA_CA_CERTS (set by
// peers.mjs on the process): the way to trust a private CA beside the public ones for every
// connection, and the cheap one — an undici `ca` list is parsed again for each new connection.
import { Agent } from 'undici';
import { generateSecret } from '../../packages/webhooks/dist/index.js';
import { signedHeaders } from '../peers/send.mjs';

export const TIMEOUT_MS = 10_000;

/** `send(id, url, body)` resolves true on a 2xx, false on another status, a timeout or a network error. */
export function createFleetSender() {
  const agent = new Agent({
    connections: 64,
    keepAliveTimeout: 30_000,
    connect: { timeout: TIMEOUT_MS },
  });
  // Per endpoint URL: its secret and its parsed origin and path.
  const endpoints = new Map();
  return {
    async send(id, url, body) {
      let endpoint = endpoints.get(url);
      if (!endpoint) {
        const { origin, pathname } = new URL(url);
        endpoints.set(url, (endpoint = { secret: generateSecret(), origin, path: pathname }));
      }
      const headers = signedHeaders(endpoint.secret, id, body);
      try {
        const res = await agent.request({
          origin: endpoint.origin,
          path: endpoint.path,
          method: 'POST',
          headers,
          body,
          headersTimeout: TIMEOUT_MS,
          bodyTimeout: TIMEOUT_MS,
        });
        await res.body.dump();
        return res.statusCode >= 200 && res.statusCode < 300;
      } catch {
        return false;
      }
    },
    close: () => agent.close(),
  };
}
