import { EVENT_SCHEMAS } from './event-schemas.js';
import type { EventType } from './events.js';
import { sampleEvent } from './samples.js';
import type { JsonSchema } from './schema.js';

/** The documentation's moment: every published sample is dated from it. */
const DOCS_TIME = new Date('2025-08-26T15:30:00Z');

const DESCRIPTIONS: { readonly [T in EventType]: string } = {
  'customer.registered':
    'A customer joined the loyalty program through any channel (POS, app, website, API, import).',
  'tier.upgraded': "A customer's tier went up, by activity or by a manual change.",
  'coupon.redeemed': 'A member spent points on a reward and got its coupon.',
  'coupon.used': 'A coupon was validated at the counter and its discount applied to an order.',
  'customer.updated':
    "A customer's data was corrected, or their marketing consent changed: the new values, and which fields changed.",
  'customer.deleted':
    "A customer's personal data was erased at their request (LGPD): erase what you hold about this member id.",
  'points.earned':
    'A customer earned points: an order (counter, POS or delivery platform, a partner feed) or a manual credit, with the bonuses applied and the progress to the next tier. Recorded before any tier.upgraded the credit causes.',
  'endpoint.disabled':
    'Operational: one of the company’s webhook endpoints was disabled (a 410 Gone, a failure streak, or by hand); its deliveries are held until it is enabled again. Sent only to endpoints that name this event, never to the endpoint it is about.',
  'endpoint.enabled':
    'Operational: a disabled endpoint was enabled again, by a successful probe or by a person; its held deliveries flow again, oldest first. Sent only to endpoints that name this event, never to the endpoint it is about.',
  'delivery.failed':
    'Operational: a delivery of a customer event spent its last attempt and is `failed` (redeliverable from the log). Never sent about a delivery of an operational event. Sent only to endpoints that name this event, never to the endpoint it is about.',
};

/**
 * The JSON Schema (draft 2020-12) of an event's body, generated from the same definition as
 * `parseEvent`: what Zupy sends, keys listed in the order they are sent, with the documentation's
 * sample as its example. Unknown keys are allowed, so a receiver that validates with it keeps
 * working when Zupy adds a field. The package ships them as `schemas/<event>.schema.json`.
 *
 * @example
 * fs.writeFileSync('endpoint.disabled.schema.json', JSON.stringify(eventJsonSchema('endpoint.disabled'), null, 2));
 */
export function eventJsonSchema(type: EventType): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: type,
    description: DESCRIPTIONS[type],
    ...EVENT_SCHEMAS[type].jsonSchema,
    examples: [sampleEvent(type, { now: DOCS_TIME })],
  };
}
