import { serializeEvent, type ZupyEvent } from '@zupy/webhooks';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { newId } from '../shared/random-chars.js';

export interface RecordedEvent {
  id: string;
  type: ZupyEvent['event'];
  body: string;
  deliveryIds: string[];
}

/** Enabled endpoints of the company that subscribe to `type` (an empty list subscribes to all). */
async function subscribedEndpoints(trx: Kysely<Tables>, companyId: string, type: string): Promise<string[]> {
  const endpoints = await trx
    .selectFrom('webhook_endpoints')
    .select(['id', 'events'])
    .where('company_id', '=', companyId)
    .where('enabled', '=', 1)
    .where('deleted_at', 'is', null)
    .execute();
  return endpoints
    .filter((e) => {
      const events = JSON.parse(e.events) as string[];
      return events.length === 0 || events.includes(type);
    })
    .map((e) => e.id);
}

/**
 * Writes an event to the outbox, and one pending delivery per subscribed endpoint, inside the
 * caller's transaction: the event and its deliveries exist exactly when the change that caused them
 * does. The body is serialized here, once: every attempt to every endpoint sends these bytes.
 * `only` restricts the fan-out to one endpoint and marks the event as a test send.
 */
export async function recordEvent(
  trx: Kysely<Tables>,
  event: ZupyEvent,
  now: Date,
  only?: { endpointId: string },
): Promise<RecordedEvent> {
  const id = newId('evt');
  const body = serializeEvent(event);
  const stamp = now.toISOString();
  const isTest = only !== undefined ? 1 : 0;
  await trx
    .insertInto('events')
    .values({ id, company_id: event.company_id, type: event.event, body, created_at: stamp, is_test: isTest })
    .execute();
  const endpointIds = only
    ? [only.endpointId]
    : await subscribedEndpoints(trx, event.company_id, event.event);
  const deliveries = endpointIds.map((endpointId) => ({
    id: newId('dlv'),
    company_id: event.company_id,
    event_id: id,
    event_type: event.event,
    endpoint_id: endpointId,
    status: 'pending' as const,
    attempts_count: 0,
    schedule_offset: 0,
    // A test send is made by the request itself, not by the worker.
    next_attempt_at: isTest ? null : stamp,
    lease_expires_at: null,
    is_test: isTest,
    created_at: stamp,
    updated_at: stamp,
  }));
  if (deliveries.length > 0) await trx.insertInto('deliveries').values(deliveries).execute();
  return { id, type: event.event, body, deliveryIds: deliveries.map((d) => d.id) };
}
