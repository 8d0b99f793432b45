import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reasonOf } from '../test/reason-of.js';
import {
  CUSTOMER_EVENT_TYPES,
  EVENT_TYPES,
  OPERATIONAL_EVENT_TYPES,
  isEventType,
  isOperationalEvent,
  isOperationalEventType,
  type OperationalEvent,
  type ZupyEvent,
} from './events.js';
import { canonicalEvent, serializeEvent } from './event-schemas.js';
import { parseEvent } from './parse-event.js';
import { sampleEvent } from './samples.js';

/** Deep key lists, to compare an object's key order with the contract's. */
function keyOrder(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return null;
  return Object.entries(value).map(([key, child]) =>
    keyOrder(child) === null ? key : [key, keyOrder(child)],
  );
}

const NOW = new Date('2025-09-02T08:15:42.750Z');
const options = { companyId: 'comp_x', now: NOW };

describe('the event type lists', () => {
  it('are the customer events, then the operational ones, with no type in both', () => {
    expect(CUSTOMER_EVENT_TYPES).toEqual([
      'customer.registered',
      'tier.upgraded',
      'coupon.redeemed',
      'coupon.used',
      'customer.updated',
      'customer.deleted',
      'points.earned',
    ]);
    expect(OPERATIONAL_EVENT_TYPES).toEqual(['endpoint.disabled', 'endpoint.enabled', 'delivery.failed']);
    expect(EVENT_TYPES).toEqual([...CUSTOMER_EVENT_TYPES, ...OPERATIONAL_EVENT_TYPES]);
    for (const type of EVENT_TYPES) expect(isEventType(type), type).toBe(true);
  });

  it('tells operational types and events from customer ones', () => {
    for (const type of OPERATIONAL_EVENT_TYPES) {
      expect(isOperationalEventType(type)).toBe(true);
      expect(isOperationalEvent(sampleEvent(type))).toBe(true);
    }
    for (const type of CUSTOMER_EVENT_TYPES) {
      expect(isOperationalEventType(type)).toBe(false);
      expect(isOperationalEvent(sampleEvent(type))).toBe(false);
    }
    for (const value of [
      'endpoint.deleted',
      'Endpoint.Disabled',
      '',
      null,
      undefined,
      7,
      ['endpoint.enabled'],
    ]) {
      expect(isOperationalEventType(value), String(value)).toBe(false);
    }
  });

  it('narrows the union', () => {
    const events: ZupyEvent[] = EVENT_TYPES.map((type) => sampleEvent(type));
    const operational: OperationalEvent[] = events.filter(isOperationalEvent);
    expect(operational.map((e) => e.endpoint.id)).toEqual([
      'ep_3kT9xQbW7mZp2LrV8sYcN4dF',
      'ep_3kT9xQbW7mZp2LrV8sYcN4dF',
      'ep_3kT9xQbW7mZp2LrV8sYcN4dF',
    ]);
  });
});

describe('the operational samples', () => {
  it('endpoint.disabled has the contract’s keys in order, the given company and times relative to now', () => {
    const event = sampleEvent('endpoint.disabled', options);
    expect(keyOrder(event)).toEqual([
      'event',
      'timestamp',
      'company_id',
      ['endpoint', ['id', 'url', 'description']],
      ['reason', ['code', 'message']],
      ['last_attempt', ['status', 'error', 'error_code', 'at']],
      ['deliveries', ['held', 'failed_last_24h']],
      'failing_since',
      'disabled_at',
      'next_probe_at',
    ]);
    expect(event).toMatchObject({
      company_id: 'comp_x',
      timestamp: '2025-09-02T08:15:42Z',
      reason: { code: 'failure_streak', message: 'every attempt failed since 2025-08-28T08:15:42Z' },
      failing_since: '2025-08-28T08:15:42Z',
      disabled_at: '2025-09-02T08:15:42Z',
      next_probe_at: '2025-09-02T08:20:42Z',
    });
  });

  it('endpoint.enabled has the contract’s keys in order', () => {
    const event = sampleEvent('endpoint.enabled', options);
    expect(keyOrder(event)).toEqual([
      'event',
      'timestamp',
      'company_id',
      ['endpoint', ['id', 'url', 'description']],
      'enabled_by',
      'disabled_at',
      ['deliveries', ['held', 'failed_last_24h']],
      'discarded',
    ]);
    expect(event).toMatchObject({ enabled_by: 'probe', disabled_at: '2025-09-02T07:55:42Z', discarded: 0 });
  });

  it('delivery.failed has the contract’s keys in order and is about a customer event', () => {
    const event = sampleEvent('delivery.failed', options);
    expect(keyOrder(event)).toEqual([
      'event',
      'timestamp',
      'company_id',
      ['endpoint', ['id', 'url', 'description']],
      ['delivery', ['id', 'event_id', 'event_type', 'attempts', 'created_at']],
      ['last_attempt', ['status', 'error', 'error_code', 'at']],
      ['deliveries', ['held', 'failed_last_24h']],
    ]);
    expect((CUSTOMER_EVENT_TYPES as readonly string[]).includes(event.delivery.event_type)).toBe(true);
    expect(event.delivery).toMatchObject({ attempts: 5, created_at: '2025-09-02T06:54:42Z' });
  });

  it.each(OPERATIONAL_EVENT_TYPES)('%s round-trips through serializeEvent and parseEvent', (type) => {
    const event = sampleEvent(type, options);
    const body = serializeEvent(event);
    expect(parseEvent(body)).toEqual(event);
    expect(serializeEvent(parseEvent(body))).toBe(body);
    // Two samples never share an endpoint object: changing one leaves the next untouched.
    event.endpoint.url = 'https://changed.example.com/';
    expect(sampleEvent(type).endpoint.url).toBe('https://crm.example.com/webhooks/zupy');
  });
});

describe('serializing operational events', () => {
  interface Vector {
    event_id: string;
    body: string;
  }
  const { vectors } = JSON.parse(readFileSync(new URL('../test-vectors.json', import.meta.url), 'utf8')) as {
    vectors: Vector[];
  };
  const operational = vectors.filter((v) => isOperationalEventType((JSON.parse(v.body) as ZupyEvent).event));

  it('gives the bytes written independently in the documented key order, from any key order', () => {
    expect(operational.map((v) => v.event_id)).toEqual(['evt_op_disabled', 'evt_op_failed']);
    for (const v of operational) {
      const event = JSON.parse(v.body) as ZupyEvent;
      expect(serializeEvent(event)).toBe(v.body);
      const reversed = JSON.parse(v.body, (_key, value: unknown) =>
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? Object.fromEntries(Object.entries(value).reverse())
          : value,
      ) as ZupyEvent;
      expect(Object.keys(reversed)[0]).not.toBe('event');
      expect(serializeEvent(reversed)).toBe(v.body);
    }
  });

  it('drops keys the contract does not have, at every level', () => {
    const event = sampleEvent('endpoint.enabled');
    const extra = {
      ...event,
      endpoint: { ...event.endpoint, secret: 'whsec_leak' },
      deliveries: { ...event.deliveries, pending: 4 },
      note: 'x',
    } as ZupyEvent;
    expect(canonicalEvent(extra)).toEqual(event);
    expect(serializeEvent(extra)).not.toContain('whsec_leak');
  });
});

describe('parseEvent on operational events', () => {
  it('accepts every nullable field as null', () => {
    const disabled = sampleEvent('endpoint.disabled');
    const manual = {
      ...disabled,
      endpoint: { ...disabled.endpoint, description: null },
      reason: { code: 'manual', message: 'disabled by its owner' },
      last_attempt: null,
      failing_since: null,
      next_probe_at: null,
    };
    expect(parseEvent(JSON.stringify(manual))).toEqual(manual);
    const gone = { ...disabled, reason: { code: 'gone', message: 'the receiver answered 410 Gone' } };
    expect(parseEvent(gone)).toEqual(gone);
    const noAnswer = {
      ...disabled,
      last_attempt: {
        status: null,
        error: 'connection refused',
        error_code: 'connection_refused',
        at: disabled.timestamp,
      },
    };
    expect(parseEvent(noAnswer)).toEqual(noAnswer);

    const enabled = sampleEvent('endpoint.enabled');
    const byOperator = { ...enabled, enabled_by: 'operator', disabled_at: null, discarded: 7 };
    expect(parseEvent(byOperator)).toEqual(byOperator);

    const failed = sampleEvent('delivery.failed');
    const timeout = {
      ...failed,
      last_attempt: { status: null, error: 'timeout', error_code: 'timeout', at: failed.timestamp },
    };
    expect(parseEvent(timeout)).toEqual(timeout);
    // A code this version does not know is kept as it came: more may come.
    const newer = { ...timeout, last_attempt: { ...timeout.last_attempt, error_code: 'quic_refused' } };
    expect(parseEvent(newer)).toEqual(newer);
  });

  it('accepts a failed delivery of an event type added after this version', () => {
    const failed = sampleEvent('delivery.failed');
    const newer = { ...failed, delivery: { ...failed.delivery, event_type: 'coupon.redeemed' } };
    expect(parseEvent(newer)).toEqual(newer);
  });

  const disabled = sampleEvent('endpoint.disabled');
  const enabled = sampleEvent('endpoint.enabled');
  const failed = sampleEvent('delivery.failed');
  it.each(
    (
      [
        [
          disabled,
          { reason: { code: 'timeout', message: 'x' } },
          'reason.code must be one of gone, failure_streak, manual',
        ],
        [disabled, { reason: { code: 'gone' } }, 'reason.message is missing'],
        [disabled, { deliveries: { held: -1, failed_last_24h: 0 } }, 'deliveries.held must be at least 0'],
        [
          disabled,
          { deliveries: { held: 1.5, failed_last_24h: 0 } },
          'deliveries.held must be an integer, got number',
        ],
        [
          disabled,
          { deliveries: { held: '3', failed_last_24h: 0 } },
          'deliveries.held must be an integer, got string',
        ],
        [disabled, { deliveries: { held: 0 } }, 'deliveries.failed_last_24h is missing'],
        [
          disabled,
          { last_attempt: { status: 99, error: null, at: disabled.timestamp } },
          'last_attempt.status must be at least 100',
        ],
        [
          disabled,
          { last_attempt: { status: 503, error: 5, at: disabled.timestamp } },
          'last_attempt.error must be a string, got number',
        ],
        [
          disabled,
          { last_attempt: { status: null, error: 'timeout', error_code: 7, at: disabled.timestamp } },
          'last_attempt.error_code must be a string, got number',
        ],
        [
          disabled,
          { last_attempt: { status: null, error: 'timeout', at: disabled.timestamp } },
          'last_attempt.error_code is missing',
        ],
        [disabled, { last_attempt: undefined }, 'last_attempt is missing'],
        [disabled, { next_probe_at: 'in 5 minutes' }, 'next_probe_at must be an ISO 8601 UTC timestamp'],
        [disabled, { disabled_at: null }, 'disabled_at must be a string, got null'],
        [
          disabled,
          { endpoint: { ...disabled.endpoint, id: 'dlv_x' } },
          'endpoint.id must be an endpoint id like ep_',
        ],
        [
          disabled,
          { endpoint: { ...disabled.endpoint, url: 'ftp://x' } },
          'endpoint.url must be the URL Zupy POSTs to',
        ],
        [disabled, { endpoint: { id: 'ep_x', url: 'https://x/' } }, 'endpoint.description is missing'],
        [enabled, { enabled_by: 'robot' }, 'enabled_by must be one of probe, operator'],
        [enabled, { discarded: undefined }, 'discarded is missing'],
        [enabled, { discarded: -2 }, 'discarded must be at least 0'],
        [failed, { last_attempt: null }, 'last_attempt must be an object, got null'],
        [failed, { delivery: { ...failed.delivery, attempts: 0 } }, 'delivery.attempts must be at least 1'],
        [
          failed,
          { delivery: { ...failed.delivery, event_type: 'Customer Registered' } },
          'delivery.event_type must be the type',
        ],
        [
          failed,
          { delivery: { ...failed.delivery, id: 'evt_x' } },
          'delivery.id must be a delivery id like dlv_',
        ],
        [
          failed,
          { delivery: { ...failed.delivery, event_id: 'dlv_x' } },
          'delivery.event_id must be the event id like evt_',
        ],
      ] as const
    ).map(([base, change, message]) => ({ base, change, message })),
  )('names the field at fault: $message', ({ base, change, message }) => {
    const body = JSON.stringify({ ...base, ...change });
    expect(
      reasonOf(() => parseEvent(body)).startsWith(`invalid_payload: ${message}`),
      reasonOf(() => parseEvent(body)),
    ).toBe(true);
  });
});
