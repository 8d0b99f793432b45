import { WebhookVerificationError } from './errors.js';
import { EVENT_SCHEMAS } from './event-schemas.js';
import { isEventType, type ZupyEvent } from './events.js';
import { SchemaError } from './schema.js';
import type { RawBody } from './sign.js';

/** Parses JSON text (or bytes) into an unknown value, or throws `invalid_payload`. */
export function parseJson(body: RawBody): unknown {
  const text =
    typeof body === 'string'
      ? body
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new WebhookVerificationError('invalid_payload', 'the body is not valid JSON');
  }
}

/**
 * Parses a verified body into a typed event, customer or operational, checked at run time against
 * the event's definition. Throws {@link WebhookVerificationError} with reason `invalid_payload` for
 * anything else, unknown event types included. Call it after {@link verifySignature}, on the same
 * raw body.
 *
 * @example
 * const event = parseEvent(rawBody);
 * if (event.event === 'tier.upgraded') console.log(event.tier_change.new_tier);
 * if (event.event === 'endpoint.disabled') page(oncall, `${event.endpoint.url}: ${event.reason.message}`);
 */
export function parseEvent(body: RawBody | object): ZupyEvent {
  const value = typeof body === 'string' || body instanceof Uint8Array ? parseJson(body) : body;
  const type = typeof value === 'object' && value !== null ? (value as { event?: unknown }).event : undefined;
  if (!isEventType(type)) {
    throw new WebhookVerificationError('invalid_payload', `unknown event type ${JSON.stringify(type)}`);
  }
  try {
    return EVENT_SCHEMAS[type].parse(value);
  } catch (error) {
    if (error instanceof SchemaError) throw new WebhookVerificationError('invalid_payload', error.message);
    throw error;
  }
}
