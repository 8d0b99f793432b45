import { serializeEvent, type ZupyEvent } from '@zupy/webhooks';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { newId } from '../shared/random-chars.js';

export interface RecordedEvent {
  id: string;
  type: ZupyEvent['event'];
  body: string;
}

/**
 * Writes an event to the outbox inside the caller's transaction, so the event exists exactly when
 * the change that caused it does. The body is serialized here, once: every delivery attempt to every
 * endpoint sends these bytes.
 */
export async function recordEvent(trx: Kysely<Tables>, event: ZupyEvent, now: Date): Promise<RecordedEvent> {
  const recorded: RecordedEvent = { id: newId('evt'), type: event.event, body: serializeEvent(event) };
  await trx
    .insertInto('events')
    .values({
      id: recorded.id,
      company_id: event.company_id,
      type: recorded.type,
      body: recorded.body,
      created_at: now.toISOString(),
    })
    .execute();
  return recorded;
}
