import { EVENT_TYPES, eventJsonSchema, isOperationalEventType } from '@zupy/webhooks';

/** The headers of every delivery (docs/webhooks.md, "What arrives"). */
const HEADERS: [name: string, description: string, required: boolean][] = [
  ['X-Zupy-Event', 'The event type', true],
  ['X-Zupy-Event-Id', 'evt_…: the same across endpoints and retries; dedupe on it', true],
  ['X-Zupy-Delivery', 'dlv_…: one per (event, endpoint), the same across its retries', true],
  ['X-Zupy-Attempt', '1, 2, 3 …', true],
  ['X-Zupy-Test', '`true` on test sends and probes only', false],
  [
    'X-Zupy-Sequence',
    'The event’s number among its member’s events: 1 for the registration, then 2, 3 …; absent on test sends, probes and operational events',
    false,
  ],
  [
    'X-Zupy-Signature',
    'sha256= + hex HMAC-SHA256 of the body, keyed by the whole secret (GitHub’s scheme)',
    true,
  ],
  ['webhook-id', 'Standard Webhooks: the event id', true],
  ['webhook-timestamp', 'Standard Webhooks: unix seconds of this attempt', true],
  [
    'webhook-signature',
    'Standard Webhooks: v1, + base64 HMAC-SHA256 of id.timestamp.body, one per valid secret',
    true,
  ],
];

/**
 * The OpenAPI 3.1 `webhooks` section: what Zupy POSTs to an endpoint, one entry per event type, each
 * body the SDK's JSON Schema of that event (the same definition `parseEvent` checks) and its sample.
 */
export function webhookDocs() {
  return Object.fromEntries(
    EVENT_TYPES.map((type) => {
      const full = eventJsonSchema(type);
      // An object schema (openapi-types cannot spell out an arbitrary JSON Schema, hence the cast).
      const schema = Object.fromEntries(
        Object.entries(full).filter(([keyword]) => keyword !== '$schema' && keyword !== 'examples'),
      ) as { type: 'object' };
      const operation = {
        tags: [isOperationalEventType(type) ? 'Operational events' : 'Customer events'],
        summary: type,
        description: String(full.description),
        parameters: HEADERS.map(([name, description, required]) => ({
          name,
          in: 'header',
          required,
          description,
          schema: { type: 'string' as const },
        })),
        requestBody: {
          required: true,
          content: {
            'application/json': { schema, examples: { sample: { value: (full.examples as unknown[])[0] } } },
          },
        },
        responses: {
          '2XX': { description: 'Acknowledged. Anything else, or no answer within the timeout, is retried.' },
          '410': { description: 'Gone: the endpoint is disabled at once; nothing more is sent to it' },
          '429': {
            description:
              'Too many: retried on the retry schedule, and fewer are sent at once from then on. With `Retry-After` (seconds or an HTTP date, at most 24 h), nothing at all is sent to the endpoint until then, and then a single request first; 503 with `Retry-After` is the same',
          },
          '4XX': { description: 'Not acknowledged: retried on the retry schedule' },
          '5XX': { description: 'Not acknowledged: retried on the retry schedule' },
        },
      };
      return [type, { post: operation }];
    }),
  );
}
