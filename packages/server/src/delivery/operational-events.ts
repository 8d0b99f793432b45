import {
  formatTimestamp,
  type DeliveryFailedEvent,
  type EndpointDisabledEvent,
  type EndpointEnabledEvent,
  type EndpointSummary,
} from '@zupy/webhooks';
import type { Kysely } from 'kysely';
import type { DisabledCode, EndpointRow, Tables } from '../db/tables.js';
import { recordEvent } from '../events/record-event.js';
import { failedSince, queuedFor } from './endpoint-counts.js';

/**
 * Operational events (docs/events.md): `endpoint.disabled`, `endpoint.enabled` and `delivery.failed`,
 * recorded in the transaction of the change they report, like customer events, and delivered to the
 * company's endpoints that name them — never to the endpoint they are about.
 */

export interface LastAttempt {
  status: number | null;
  error: string | null;
  /** `error` as its stable code (attempt-error.ts), null when there is no error. */
  errorCode: string | null;
  at: Date;
}

function summary(endpoint: EndpointRow): EndpointSummary {
  return { id: endpoint.id, url: endpoint.url, description: endpoint.description };
}

async function counts(trx: Kysely<Tables>, endpointId: string, now: Date, held: number | null) {
  return {
    held: held ?? (await queuedFor(trx, endpointId)),
    failed_last_24h: await failedSince(trx, endpointId, new Date(now.getTime() - 86_400_000).toISOString()),
  };
}

const stamp = (iso: string | null): string | null => (iso ? formatTimestamp(new Date(iso)) : null);

export async function recordEndpointDisabled(
  trx: Kysely<Tables>,
  endpoint: EndpointRow,
  input: {
    code: DisabledCode;
    message: string;
    lastAttempt: LastAttempt | null;
    failingSince: string | null;
    nextProbeAt: string | null;
    now: Date;
  },
): Promise<EndpointDisabledEvent> {
  const event: EndpointDisabledEvent = {
    event: 'endpoint.disabled',
    timestamp: formatTimestamp(input.now),
    company_id: endpoint.company_id,
    endpoint: summary(endpoint),
    reason: { code: input.code, message: input.message },
    last_attempt: input.lastAttempt
      ? {
          status: input.lastAttempt.status,
          error: input.lastAttempt.error,
          error_code: input.lastAttempt.errorCode,
          at: formatTimestamp(input.lastAttempt.at),
        }
      : null,
    deliveries: await counts(trx, endpoint.id, input.now, null),
    failing_since: stamp(input.failingSince),
    disabled_at: formatTimestamp(input.now),
    next_probe_at: stamp(input.nextProbeAt),
  };
  await recordEvent(trx, event, input.now, { aboutEndpoint: endpoint.id });
  return event;
}

export async function recordEndpointEnabled(
  trx: Kysely<Tables>,
  endpoint: EndpointRow,
  input: { by: 'probe' | 'operator'; resumed: number; discarded: number; now: Date },
): Promise<EndpointEnabledEvent> {
  const event: EndpointEnabledEvent = {
    event: 'endpoint.enabled',
    timestamp: formatTimestamp(input.now),
    company_id: endpoint.company_id,
    endpoint: summary(endpoint),
    enabled_by: input.by,
    disabled_at: stamp(endpoint.disabled_at),
    deliveries: await counts(trx, endpoint.id, input.now, input.resumed),
    discarded: input.discarded,
  };
  await recordEvent(trx, event, input.now, { aboutEndpoint: endpoint.id });
  return event;
}

export async function recordDeliveryFailed(
  trx: Kysely<Tables>,
  endpoint: EndpointRow,
  delivery: { id: string; event_id: string; event_type: string; attempts: number; created_at: string },
  lastAttempt: LastAttempt,
  now: Date,
): Promise<void> {
  const event: DeliveryFailedEvent = {
    event: 'delivery.failed',
    timestamp: formatTimestamp(now),
    company_id: endpoint.company_id,
    endpoint: summary(endpoint),
    delivery: {
      id: delivery.id,
      event_id: delivery.event_id,
      event_type: delivery.event_type,
      attempts: delivery.attempts,
      created_at: formatTimestamp(new Date(delivery.created_at)),
    },
    last_attempt: {
      status: lastAttempt.status,
      error: lastAttempt.error,
      error_code: lastAttempt.errorCode,
      at: formatTimestamp(lastAttempt.at),
    },
    deliveries: await counts(trx, endpoint.id, now, endpoint.enabled === 0 ? null : 0),
  };
  await recordEvent(trx, event, now, { aboutEndpoint: endpoint.id });
}
