import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookHandler } from './handler.js';

/** Zupy caps bodies at 1 MB; anything larger is not ours. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the request's raw bytes, unless a body parser already did (then its `req.body` is used). */
export async function readRawBody(
  req: IncomingMessage & { body?: unknown },
): Promise<{ rawBody: Buffer | string | undefined; parsedBody?: unknown }> {
  if (req.body !== undefined) {
    if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) return { rawBody: req.body };
    return { rawBody: undefined, parsedBody: req.body };
  }
  if (req.readableEnded) return { rawBody: undefined };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body over 1 MB');
    chunks.push(buffer);
  }
  return { rawBody: Buffer.concat(chunks) };
}

export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * A `node:http` request listener for the handler.
 *
 * @example
 * import http from 'node:http';
 * import { createWebhookHandler } from '@zupy/webhooks';
 * import { createNodeListener } from '@zupy/webhooks/node';
 * http.createServer(createNodeListener(createWebhookHandler({ secret, on }))).listen(3000);
 */
export function createNodeListener(
  handler: WebhookHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    readRawBody(req).then(
      async (body) => {
        const answer = await handler({ ...body, headers: req.headers });
        writeJson(res, answer.status, answer.body);
      },
      (error: Error) => writeJson(res, 413, { received: false, error: 'too_large', message: error.message }),
    );
  };
}
