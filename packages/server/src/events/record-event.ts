import { isOperationalEventType, serializeEvent, type ZupyEvent } from '@zupy/webhooks';
import type { Insertable, Kysely } from 'kysely';
import { markDeliveriesDue } from '../db/deliveries-due.js';
import { preparedQuery, valuesOf } from '../db/prepared-query.js';
import {
  WAITING_FOR_PREDECESSOR,
  type DeliveriesTable,
  type DeliveryKind,
  type EndpointOrdering,
  type EventsTable,
  type Tables,
} from '../db/tables.js';
import { newId } from '../shared/random-chars.js';

export interface RecordedEvent {
  id: string;
  type: ZupyEvent['event'];
  body: string;
  deliveryIds: string[];
}

export interface RecordOptions {
  /** Fan out to this endpoint only (a test send or a probe), with no member order or sequence. */
  only?: { endpointId: string; kind: Exclude<DeliveryKind, 'event'> };
  /** An operational event about this endpoint: never sent to it. */
  aboutEndpoint?: string;
  /**
   * The member's sequence number for this event, when the caller counted it already in
   * `customers.events_recorded` (a registration inserts its customer with its first event counted):
   * saves the statement that counts it.
   */
  memberSeq?: number;
}

const liveEndpointsQuery = preparedQuery((db, arg: { companyId: string }) =>
  db
    .selectFrom('webhook_endpoints')
    .select(['id', 'events', 'ordering'])
    .where('company_id', '=', arg.companyId)
    .where('deleted_at', 'is', null),
);

const countMemberEvent = preparedQuery((db, arg: { companyId: string; memberId: string }) =>
  db
    .updateTable('customers')
    .set((eb) => ({ events_recorded: eb('events_recorded', '+', 1) }))
    .where('company_id', '=', arg.companyId)
    .where('member_id', '=', arg.memberId)
    .returning('events_recorded'),
);

/**
 * Tells the member's latest delivery to the endpoint that has not ended (the `deliveries_member_open`
 * index) that a later one waits for it, if it is still pending; returns its `seq`. One statement, not
 * a read then an update. On PostgreSQL the update waits for a worker that is recording that
 * delivery's end and then finds it ended (no row): the new delivery does not wait. Otherwise the
 * worker's end, recorded after this commits, sees `has_successor`.
 */
const markLatestOpenDelivery = preparedQuery((db, arg: { endpointId: string; memberId: string }) =>
  db
    .updateTable('deliveries')
    .set({ has_successor: 1 })
    .where('seq', '=', (eb) =>
      eb
        .selectFrom('deliveries')
        .select('seq')
        .where('endpoint_id', '=', arg.endpointId)
        .where('member_id', '=', arg.memberId)
        .where('status', '=', 'pending')
        .orderBy('seq', 'desc')
        .limit(1),
    )
    .where('status', '=', 'pending')
    .returning('seq'),
);

const insertEvent = preparedQuery((db, arg: Insertable<EventsTable>) =>
  db
    .insertInto('events')
    .values(
      valuesOf(arg, ['id', 'company_id', 'type', 'body', 'created_at', 'is_test', 'member_id', 'member_seq']),
    ),
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
        'member_id',
        'waits_for',
        'kind',
        'created_at',
        'updated_at',
      ]),
    ),
);

interface Target {
  id: string;
  ordering: EndpointOrdering;
}

/**
 * The company's live endpoints that get `type`, enabled or not: a disabled endpoint's deliveries are
 * held, not dropped. An empty list subscribes to the customer events; operational events go only to
 * endpoints that name them, and never to the endpoint they are about.
 */
async function subscribedEndpoints(
  trx: Kysely<Tables>,
  companyId: string,
  type: string,
  aboutEndpoint: string | undefined,
): Promise<Target[]> {
  const endpoints = await liveEndpointsQuery.run(trx, { companyId });
  const operational = isOperationalEventType(type);
  return endpoints.filter((e) => {
    if (e.id === aboutEndpoint) return false;
    const events = JSON.parse(e.events) as string[];
    return events.length === 0 ? !operational : events.includes(type);
  });
}

/** The member an event is about, if it is a customer event. */
function memberOf(event: ZupyEvent): string | null {
  const customer = (event as { customer?: { member_id?: unknown } }).customer;
  return typeof customer?.member_id === 'string' ? customer.member_id : null;
}

/**
 * Writes an event to the outbox, and one pending delivery per subscribed endpoint, inside the
 * caller's transaction: the event and its deliveries exist exactly when the change that caused them
 * does. The body is serialized here, once: every attempt to every endpoint sends these bytes.
 *
 * A customer event gets the member's next sequence number; for an endpoint ordered by member, its
 * delivery waits (out of the claims' reach) while the member's previous delivery to that endpoint is
 * pending, and is released when that one ends (delivery-order.ts).
 */
export async function recordEvent(
  trx: Kysely<Tables>,
  event: ZupyEvent,
  now: Date,
  options: RecordOptions = {},
): Promise<RecordedEvent> {
  const { only } = options;
  const id = newId('evt');
  const body = serializeEvent(event);
  const stamp = now.toISOString();
  const isTest = only !== undefined ? 1 : 0;
  const memberId = only ? null : memberOf(event);
  let memberSeq: number | null = null;
  if (memberId !== null && options.memberSeq !== undefined) memberSeq = options.memberSeq;
  else if (memberId !== null) {
    const [counted] = await countMemberEvent.run(trx, { companyId: event.company_id, memberId });
    memberSeq = counted ? Number(counted.events_recorded) : null;
  }
  await insertEvent.run(trx, {
    id,
    company_id: event.company_id,
    type: event.event,
    body,
    created_at: stamp,
    is_test: isTest,
    member_id: memberId,
    member_seq: memberSeq,
  });
  const targets: Target[] = only
    ? [{ id: only.endpointId, ordering: 'none' }]
    : await subscribedEndpoints(trx, event.company_id, event.event, options.aboutEndpoint);
  const deliveryIds: string[] = [];
  if (targets.length > 0) markDeliveriesDue(trx);
  for (const target of targets) {
    const ordered = memberId !== null && target.ordering === 'member';
    let waitsFor: number | null = null;
    // The member's first event (a registration) has no earlier delivery to wait for.
    if (ordered && memberSeq !== 1) {
      const [marked] = await markLatestOpenDelivery.run(trx, { endpointId: target.id, memberId });
      if (marked) waitsFor = Number(marked.seq);
    }
    const deliveryId = newId('dlv');
    await insertDelivery.run(trx, {
      id: deliveryId,
      company_id: event.company_id,
      event_id: id,
      event_type: event.event,
      endpoint_id: target.id,
      status: 'pending',
      attempts_count: 0,
      schedule_offset: 0,
      // A test send or a probe is made by its caller, not by the worker.
      next_attempt_at: isTest ? null : waitsFor !== null ? WAITING_FOR_PREDECESSOR : stamp,
      lease_expires_at: null,
      is_test: isTest,
      member_id: ordered ? memberId : null,
      waits_for: waitsFor,
      kind: only?.kind ?? 'event',
      created_at: stamp,
      updated_at: stamp,
    });
    deliveryIds.push(deliveryId);
  }
  return { id, type: event.event, body, deliveryIds };
}
