// The sending half every peer shares: HMAC-SHA256-signed POSTs (the same Standard Webhooks headers
// Zupy sends, from @zupy/webhooks) over one undici keep-alive pool of 64 connections to the bench
// receiver. A peer's worker keeps at most 64 in flight.
import { Pool } from 'undici';
import { generateSecret, signatureHeaders } from '../../packages/webhooks/dist/index.js';

export const IN_FLIGHT = 64;

/** The headers of a signed POST of `body` as event `id`: JSON, and Zupy's Standard Webhooks signature. */
export function signedHeaders(secret, id, body) {
  return {
    'content-type': 'application/json',
    ...signatureHeaders({
      secrets: [secret],
      eventId: String(id),
      timestamp: Math.floor(Date.now() / 1000),
      body,
    }),
  };
}

/** `send(id, body)` resolves true on a 2xx, false on another status or a network error. */
export function createSender(receiverUrl) {
  const url = new URL(receiverUrl);
  const pool = new Pool(url.origin, { connections: IN_FLIGHT });
  const secret = generateSecret();
  return {
    async send(id, body) {
      const headers = signedHeaders(secret, id, body);
      try {
        const res = await pool.request({ path: url.pathname, method: 'POST', headers, body });
        await res.body.dump();
        return res.statusCode >= 200 && res.statusCode < 300;
      } catch {
        return false;
      }
    },
    close: () => pool.close(),
  };
}
