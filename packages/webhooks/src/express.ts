import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookHandler } from './handler.js';
import { readRawBody, writeJson } from './node.js';

/** The parts of Express's request and response the adapter uses (Express itself is not required). */
type ExpressRequest = IncomingMessage & { body?: unknown };
type ExpressNext = (error?: unknown) => void;

/**
 * Express middleware for the handler. Mount it before `express.json()`, or behind
 * `express.raw({ type: 'application/json' })`: the signature covers the exact bytes.
 *
 * @example
 * import express from 'express';
 * import { createExpressMiddleware } from '@zupy/webhooks/express';
 * const app = express();
 * app.post('/webhooks/zupy', createExpressMiddleware(handler));
 * app.use(express.json()); // after the webhook route
 */
export function createExpressMiddleware(
  handler: WebhookHandler,
): (req: ExpressRequest, res: ServerResponse, next: ExpressNext) => void {
  return (req, res, next) => {
    readRawBody(req)
      .then(async (body) => {
        const answer = await handler({ ...body, headers: req.headers });
        writeJson(res, answer.status, answer.body);
      })
      .catch(next);
  };
}
