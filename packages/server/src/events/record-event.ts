import { serializeEvent, type ZupyEvent } from '@zupy/webhooks';
import type { Insertable, Kysely } from 'kysely';
import { markDeliveriesDue } from '../db/deliveries-due.js';
import { preparedQuery, valuesOf } from '../db/prepared-query.js';
import type { DeliveriesTable, EventsTable, Tables } from '../db/tables.js';
import { newId } from '../shared/random-chars.js';

export interface RecordedEvent {
  id: string;
  type: ZupyEvent['event'];
  body: string;
  deliveryIds: string[];
}

const subscribedEndpointsQuery = preparedQuery((db, arg: { companyId: string }) =>
  db
    .selectFrom('webhook_endpoints')
    .select(['id', 'events'])
    .where('company_id', '=', arg.companyId)
    .where('enabled', '=', 1)
    .where('deleted_at', 'is', null),
);

const insertEvent = preparedQuery((db, arg: Insertable<EventsTable>) =>
  db
    .insertInto('events')
    .values(valuesOf(arg, ['id', 'company_id', 'type', 'body', 'created_at', 'is_test'])),
);

const insertDelivery = preparedQuery((db, arg: Insertable<DeliveriesTable>) =>
  db
    .insertInto('deliveries')
    .values(
      valuesOf(arg, [
        'id',
        'company_id',
        'event_id',
        'event_type',
        'endpoint_id',
        'status',
        'attempts_count',
        'schedule_offset',
        'next_attempt_at',
        'lease_expires_at',
        'is_test',
        'created_at',
        'updated_at',
      ]),
    ),
);

/** Enabled endpoints of the company that subscribe to `type` (an empty list subscribes to all). */
async function subscribedEndpoints(trx: Kysely<Tables>, companyId: string, type: string): Promise<string[]> {
  const endpoints = await subscribedEndpointsQuery.run(trx, { companyId });
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
  await insertEvent.run(trx, {
    id,
    company_id: event.company_id,
    type: event.event,
    body,
    created_at: stamp,
    is_test: isTest,
  });
  const endpointIds = only
    ? [only.endpointId]
    : await subscribedEndpoints(trx, event.company_id, event.event);
  const deliveryIds: string[] = [];
  if (endpointIds.length > 0) markDeliveriesDue(trx);
  for (const endpointId of endpointIds) {
    const deliveryId = newId('dlv');
    await insertDelivery.run(trx, {
      id: deliveryId,
      company_id: event.company_id,
      event_id: id,
      event_type: event.event,
      endpoint_id: endpointId,
      status: 'pending',
      attempts_count: 0,
      schedule_offset: 0,
      // A test send is made by the request itself, not by the worker.
      next_attempt_at: isTest ? null : stamp,
      lease_expires_at: null,
      is_test: isTest,
      created_at: stamp,
      updated_at: stamp,
    });
    deliveryIds.push(deliveryId);
  }
  return { id, type: event.event, body, deliveryIds };
}
