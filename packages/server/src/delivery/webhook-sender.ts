import { createSecureContext, rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { describeAttemptError, type AttemptErrorCode, type AttemptErrorParams } from './attempt-error.js';
import { guardedLookup, vetLiteralHost, type HostResolver } from './address-guard.js';
import { resumingConnector } from './tls-sessions.js';

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
  /** Why no HTTP answer came, in English (the API's `error`); null when one came. */
  error: string | null;
  /** The same as a stable code (attempt-error.ts), and its params; null when an answer came. */
  errorCode: AttemptErrorCode | null;
  errorParams: AttemptErrorParams | null;
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
  /** PEM CA certificates trusted beside the system's (`ZUPY_EXTRA_CA_FILE`): never instead of them. */
  extraCa?: string | undefined;
}

/**
 * Sends webhooks with undici (keep-alive pools per origin, at most `connectionsPerOrigin` connections
 * each; `fetch` costs 7–12× the CPU), never following redirects, with one deadline for connect,
 * headers and the response excerpt. Unless private networks are allowed, every connection goes only
 * to addresses vetted at connect time. HTTPS certificates are always verified (nothing here turns
 * `rejectUnauthorized` off), against the system's CAs plus `extraCa`; TLS sessions are kept per
 * host (tls-sessions.ts), so a new connection resumes instead of a full handshake.
 *
 * Requests go through undici's `dispatch` with a handler that keeps the first 4 KB of the answer, not
 * through `request`, which builds a stream per response: a third of undici's cost in the worker.
 */
export function createWebhookSender(options: SenderOptions): WebhookSender {
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 64,
    keepAliveTimeout: 30_000,
    connect: resumingConnector({
      lookup: guardedLookup(options.resolve, options.allowPrivateNetwork) as never,
      // One secure context for every connection: passing \`ca\` instead made each new connection parse
      // the system's ~145 root certificates again (~26 ms of CPU, half a busy worker's time, and a
      // context's memory per connection; issue 17's fleet bench).
      ...(options.extraCa !== undefined
        ? { secureContext: createSecureContext({ ca: [...rootCertificates, options.extraCa] }) }
        : {}),
      ...(options.connectTimeoutMs !== undefined ? { timeout: options.connectTimeoutMs } : {}),
    }),
  });
  const urls = new Map<string, URL>();
  const parse = (href: string): URL => {
    let url = urls.get(href);
    if (url === undefined) {
      url = new URL(href);
      if (urls.size >= 1_000) urls.clear();
      urls.set(href, url);
    }
    return url;
  };
  return {
    send(request) {
      const started = performance.now();
      try {
        const url = parse(request.url);
        // Literal IPs never reach the lookup, so they are vetted here.
        if (!options.allowPrivateNetwork) vetLiteralHost(url.hostname);
        return new Promise((resolve) => {
          agent.dispatch(
            {
              origin: url.origin,
              path: url.pathname + url.search,
              method: 'POST',
              headers: request.headers,
              body: request.body,
              // The deadline is undici's own timers (connect, headers, body idle) plus a check while
              // reading: a timer and AbortSignal.any() per request cost 5 % of the worker's CPU.
              headersTimeout: request.timeoutMs,
              bodyTimeout: request.timeoutMs,
            },
            new ExcerptHandler(request, started, resolve),
          );
        });
      } catch (error) {
        return Promise.resolve(failure(error, request.timeoutMs, started));
      }
    },
    close: () => agent.close(),
  };
}

function failure(error: unknown, timeoutMs: number, started: number): WebhookResponse {
  const described = describeAttemptError(error, timeoutMs);
  return {
    status: null,
    headers: {},
    body: null,
    error: described.message,
    errorCode: described.code,
    errorParams: described.params,
    durationMs: Math.round(performance.now() - started),
  };
}

/** The worker is shutting down: the request is abandoned (and not recorded). */
const SHUT_DOWN = new Error('the delivery worker is shutting down');

/** Reason given to undici when the excerpt is complete: the rest of the answer is not read. */
const ENOUGH = new Error('response excerpt complete');

/** Collects the status, headers and the first 4 KB of one answer, then settles exactly once. */
class ExcerptHandler implements Dispatcher.DispatchHandler {
  private status: number | null = null;
  private readonly headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private settled = false;
  private controller: Dispatcher.DispatchController | null = null;
  private readonly deadline: number;
  private readonly onAbort = (): void => this.controller?.abort(SHUT_DOWN);

  constructor(
    private readonly request: WebhookRequest,
    private readonly started: number,
    private readonly resolve: (response: WebhookResponse) => void,
  ) {
    this.deadline = started + request.timeoutMs;
    request.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.request.signal?.aborted) controller.abort(SHUT_DOWN);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.status = statusCode;
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined) this.headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    // Stop reading (and drop the connection) instead of downloading a huge or endless answer. A
    // stalled body ends at `bodyTimeout`; one trickled slower than that ends here, past the deadline.
    if (this.size >= RESPONSE_EXCERPT_BYTES || performance.now() > this.deadline) {
      this.answer();
      controller.abort(ENOUGH);
    }
  }

  onResponseEnd(): void {
    this.answer();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    // Also called after `answer()` cut the body short (ENOUGH): the answer stands.
    if (this.settled) return;
    this.settle(failure(error, this.request.timeoutMs, this.started));
  }

  private answer(): void {
    const body =
      this.chunks.length === 1 && this.size <= RESPONSE_EXCERPT_BYTES
        ? this.chunks[0]!.toString('utf8')
        : Buffer.concat(this.chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
    this.settle({
      status: this.status,
      headers: this.headers,
      body,
      error: null,
      errorCode: null,
      errorParams: null,
      durationMs: Math.round(performance.now() - this.started),
    });
  }

  private settle(response: WebhookResponse): void {
    if (this.settled) return;
    this.settled = true;
    this.request.signal?.removeEventListener('abort', this.onAbort);
    this.resolve(response);
  }
}
