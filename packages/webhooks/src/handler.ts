import { WebhookVerificationError } from './errors.js';
import type {
  CustomerDeletedEvent,
  CustomerRegisteredEvent,
  CustomerUpdatedEvent,
  DeliveryFailedEvent,
  EndpointDisabledEvent,
  EndpointEnabledEvent,
  PointsEarnedEvent,
  TierUpgradedEvent,
  CouponRedeemedEvent,
  CouponUsedEvent,
  ZupyEvent,
} from './events.js';
import { isEventType } from './events.js';
import { createMemoryIdempotencyStore, type IdempotencyStore } from './idempotency-store.js';
import { parseEvent, parseJson } from './parse-event.js';
import { readHeader, toleranceOf, verifySignature, type HeaderBag, type VerifyOptions } from './verify.js';

/** Context passed to each handler with the event. */
export interface DeliveryContext {
  /** `X-Zupy-Event-Id` / `webhook-id`: the same across retries and endpoints. */
  eventId: string | undefined;
  /** `X-Zupy-Delivery`. */
  deliveryId: string | undefined;
  /** `X-Zupy-Attempt`, 1 for the first. */
  attempt: number | undefined;
  /** True for the admin panel's and `zupy trigger`'s test sends, and Zupy's probes. */
  test: boolean;
  /**
   * `X-Zupy-Sequence`: the event's number among its member's events (1 for the registration, then
   * 2, 3 …). A gap means an earlier delivery failed; `undefined` on test sends and operational events.
   */
  sequence: number | undefined;
}

export interface WebhookHandlers {
  'customer.registered'?: (event: CustomerRegisteredEvent, context: DeliveryContext) => unknown;
  'tier.upgraded'?: (event: TierUpgradedEvent, context: DeliveryContext) => unknown;
  'coupon.redeemed'?: (event: CouponRedeemedEvent, context: DeliveryContext) => unknown;
  'coupon.used'?: (event: CouponUsedEvent, context: DeliveryContext) => unknown;
  'customer.updated'?: (event: CustomerUpdatedEvent, context: DeliveryContext) => unknown;
  /** The member's personal data was erased at Zupy: erase your copy. */
  'customer.deleted'?: (event: CustomerDeletedEvent, context: DeliveryContext) => unknown;
  'points.earned'?: (event: PointsEarnedEvent, context: DeliveryContext) => unknown;
  /** Operational: sent only to endpoints that subscribe to it by name. */
  'endpoint.disabled'?: (event: EndpointDisabledEvent, context: DeliveryContext) => unknown;
  /** Operational: sent only to endpoints that subscribe to it by name. */
  'endpoint.enabled'?: (event: EndpointEnabledEvent, context: DeliveryContext) => unknown;
  /** Operational: sent only to endpoints that subscribe to it by name. */
  'delivery.failed'?: (event: DeliveryFailedEvent, context: DeliveryContext) => unknown;
}

export interface WebhookHandlerOptions {
  /** The endpoint secret (`whsec_…`), or several during a rotation. */
  secret: string | readonly string[];
  on: WebhookHandlers;
  /** Event types this SDK version does not know yet: acknowledged (200) and passed here. */
  onUnhandled?: (payload: unknown, context: DeliveryContext) => unknown;
  /** `false` to run the handler for every delivery, even a duplicate. Default: an in-memory store. */
  idempotency?: IdempotencyStore | false;
  /** Tolerance for `webhook-timestamp`, in seconds (a finite number ≥ 0). Default 300. */
  toleranceSeconds?: number;
  /**
   * `true` also accepts deliveries signed by `X-Zupy-Signature` alone, without the `webhook-*`
   * headers, giving up replay protection (see {@link VerifyOptions.allowReplayableZupySignature}).
   * Default `false`: such a delivery is answered 401 `missing_header`.
   */
  allowReplayableZupySignature?: boolean;
}

export interface WebhookRequest {
  /** The raw body bytes as received; anything else means a body parser got there first. */
  rawBody: string | Uint8Array | undefined;
  headers: HeaderBag;
  /** Set by an adapter when the framework already parsed the body (no raw bytes left). */
  parsedBody?: unknown;
}

export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
}

/** The framework-free core: every adapter reads the raw body and headers, calls this, writes the answer. */
export type WebhookHandler = (request: WebhookRequest) => Promise<WebhookResponse>;

export const BODY_PARSED_MESSAGE =
  'the request body was already parsed, so its exact bytes (which the signature covers) are gone: ' +
  'mount the Zupy webhook route before any JSON body parser, or give it the raw body ' +
  '(Express: express.raw({ type: "application/json" }); Fastify: use registerZupyWebhook from @zupy/webhooks/fastify)';

function deliveryContext(headers: HeaderBag): DeliveryContext {
  const attempt = readHeader(headers, 'x-zupy-attempt');
  const sequence = readHeader(headers, 'x-zupy-sequence');
  return {
    eventId: readHeader(headers, 'webhook-id') ?? readHeader(headers, 'x-zupy-event-id'),
    deliveryId: readHeader(headers, 'x-zupy-delivery'),
    attempt: attempt !== undefined && /^\d+$/.test(attempt) ? Number(attempt) : undefined,
    test: readHeader(headers, 'x-zupy-test') === 'true',
    sequence: sequence !== undefined && /^\d+$/.test(sequence) ? Number(sequence) : undefined,
  };
}

function dispatch(handlers: WebhookHandlers, event: ZupyEvent, context: DeliveryContext): unknown {
  switch (event.event) {
    case 'customer.registered':
      return handlers['customer.registered']?.(event, context);
    case 'tier.upgraded':
      return handlers['tier.upgraded']?.(event, context);
    case 'coupon.redeemed':
      return handlers['coupon.redeemed']?.(event, context);
    case 'coupon.used':
      return handlers['coupon.used']?.(event, context);
    case 'customer.updated':
      return handlers['customer.updated']?.(event, context);
    case 'customer.deleted':
      return handlers['customer.deleted']?.(event, context);
    case 'points.earned':
      return handlers['points.earned']?.(event, context);
    case 'endpoint.disabled':
      return handlers['endpoint.disabled']?.(event, context);
    case 'endpoint.enabled':
      return handlers['endpoint.enabled']?.(event, context);
    case 'delivery.failed':
      return handlers['delivery.failed']?.(event, context);
  }
}

/**
 * Builds a handler that verifies the raw body, parses and dispatches the event, and answers as Zupy
 * expects: 200 `{received: true, processed_at}`; 401 on a bad or missing signature, a timestamp out
 * of tolerance, or missing `webhook-*` headers (never retried into success, so fix the secret or
 * whatever strips the headers); 400 on a malformed body; 500 when your handler throws, so Zupy
 * retries. A duplicate of a handled event id (`webhook-id`) is answered 200 without calling you again.
 * Zupy waits 10 s for an answer: hand long work to a queue and return.
 *
 * @example
 * const handler = createWebhookHandler({
 *   secret: process.env.ZUPY_WEBHOOK_SECRET!,
 *   on: { 'customer.registered': async (event) => crm.createContact(event.customer) },
 * });
 * http.createServer(createNodeListener(handler)).listen(3000); // from '@zupy/webhooks/node'
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
  const checks: Pick<VerifyOptions, 'toleranceSeconds' | 'allowReplayableZupySignature'> = {
    ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
    allowReplayableZupySignature: options.allowReplayableZupySignature === true,
  };
  toleranceOf(checks); // a tolerance that would switch replay protection off fails at startup, not per request
  const store =
    options.idempotency === false ? undefined : (options.idempotency ?? createMemoryIdempotencyStore());
  return async (request) => {
    if (request.rawBody === undefined) {
      return { status: 500, body: { received: false, error: 'misconfigured', message: BODY_PARSED_MESSAGE } };
    }
    let payload: unknown;
    try {
      verifySignature({ body: request.rawBody, headers: request.headers, secrets, ...checks });
      payload = parseJson(request.rawBody);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      const status = error.reason === 'invalid_payload' ? 400 : 401;
      return { status, body: { received: false, error: error.reason, message: error.message } };
    }
    const context = deliveryContext(request.headers);
    const type = (payload as { event?: unknown } | null)?.event;
    let event: ZupyEvent | undefined;
    if (isEventType(type)) {
      try {
        event = parseEvent(payload as object);
      } catch (error) {
        const e = error as WebhookVerificationError;
        return { status: 400, body: { received: false, error: e.reason, message: e.message } };
      }
    }
    const key = context.eventId;
    if (store && key !== undefined) {
      const state = await store.begin(key);
      if (state === 'done')
        return {
          status: 200,
          body: { received: true, duplicate: true, processed_at: new Date().toISOString() },
        };
      if (state === 'in_progress') return { status: 409, body: { received: false, error: 'in_progress' } };
    }
    try {
      if (event) await dispatch(options.on, event, context);
      else await options.onUnhandled?.(payload, context);
    } catch (error) {
      if (store && key !== undefined) await store.abort(key);
      return {
        status: 500,
        body: {
          received: false,
          error: 'handler_failed',
          message: error instanceof Error ? error.message : String(error),
        },
      };
    }
    if (store && key !== undefined) await store.complete(key);
    return { status: 200, body: { received: true, processed_at: new Date().toISOString() } };
  };
}
