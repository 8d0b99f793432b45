import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { guardedLookup, vetLiteralHost, type HostResolver } from './address-guard.js';

/** What is kept of a receiver's answer: enough to debug, never enough to fill the database. */
export const RESPONSE_EXCERPT_BYTES = 4096;

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Aborts the request (worker shutdown). */
  signal?: AbortSignal | undefined;
}

export interface WebhookResponse {
  /** `null` when no HTTP answer came (connection error, timeout, refused address). */
  status: number | null;
  headers: Record<string, string>;
  body: string | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResponse>;
  close(): Promise<void>;
}

export interface SenderOptions {
  allowPrivateNetwork: boolean;
  resolve: HostResolver;
  /** Keep-alive connections per origin. */
  connectionsPerOrigin?: number;
  /** How long connecting (DNS, TCP) may take; the delivery timeout. */
  connectTimeoutMs?: number;
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return `no answer within ${timeoutMs} ms`;
  }
  const e = error as { name?: string; code?: string; message?: string; cause?: unknown };
  if (e.name === 'TimeoutError' || (e.name === 'AbortError' && e.cause === undefined))
    return `no answer within ${timeoutMs} ms`;
  if (e.code === 'EZUPYFORBIDDEN' || e.name === 'ForbiddenAddressError')
    return e.message ?? 'forbidden address';
  if (e.code === 'UND_ERR_CONNECT_TIMEOUT') return `could not connect within ${timeoutMs} ms`;
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === 'ECONNRESET' || e.code === 'UND_ERR_SOCKET') return 'connection reset by the receiver';
  if (e.code === 'ENOTFOUND') return 'host not found';
  return `${e.code ? e.code + ': ' : ''}${e.message ?? String(error)}`;
}

async function readExcerpt(body: Dispatcher.ResponseData['body'], deadline: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    // Stop reading (and drop the connection) instead of downloading a huge or endless answer. A
    // stalled body ends at `bodyTimeout`; one trickled slower than that ends here, past the deadline.
    if (size >= RESPONSE_EXCERPT_BYTES || performance.now() > deadline) break;
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
}

/**
 * Sends webhooks with undici (keep-alive pools per origin; `fetch` costs 7–12× the CPU), never
 * following redirects, with one deadline for connect, headers and the response excerpt. Unless private
 * networks are allowed, every connection goes only to addresses vetted at connect time.
 */
export function createWebhookSender(options: SenderOptions): WebhookSender {
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 64,
    keepAliveTimeout: 30_000,
    connect: {
      lookup: guardedLookup(options.resolve, options.allowPrivateNetwork) as never,
      ...(options.connectTimeoutMs !== undefined ? { timeout: options.connectTimeoutMs } : {}),
    },
  });
  return {
    async send(request) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      // The deadline is undici's own timers (connect, headers, body idle) plus a check while reading:
      // a timer and AbortSignal.any() per request cost 5 % of the worker's CPU.
      const deadline = started + request.timeoutMs;
      try {
        const url = new URL(request.url);
        // Literal IPs never reach the lookup, so they are vetted here.
        if (!options.allowPrivateNetwork) vetLiteralHost(url.hostname);
        const response = await agent.request({
          origin: url.origin,
          path: url.pathname + url.search,
          method: 'POST',
          headers: request.headers,
          body: request.body,
          signal: request.signal,
          headersTimeout: request.timeoutMs,
          bodyTimeout: request.timeoutMs,
        });
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const body = await readExcerpt(response.body, deadline);
        return { status: response.statusCode, headers, body, error: null, durationMs: elapsed() };
      } catch (error) {
        return {
          status: null,
          headers: {},
          body: null,
          error: describeError(error, request.timeoutMs),
          durationMs: elapsed(),
        };
      }
    },
    close: () => agent.close(),
  };
}
