import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { newId } from '../shared/random-chars.js';
import { storedTimestamp } from '../shared/timestamps.js';

export type OwnerNoticeKind = 'endpoint.disabled' | 'endpoint.enabled';

/** What the owner is told when one of the company's webhook endpoints is disabled or enabled again. */
export interface EndpointNotice {
  kind: OwnerNoticeKind;
  companyId: string;
  endpoint: { id: string; url: string; description: string | null };
  /** Why it was disabled: a sentence in English from the engine (the e-mail words the code itself). */
  reason: string | null;
  reasonCode: 'gone' | 'failure_streak' | 'manual' | null;
  /** Deliveries held (waiting) for this endpoint at that moment. */
  heldDeliveries: number;
  /** When Zupy will probe it next (failure streaks only), ISO 8601. */
  nextProbeAt: string | null;
  /** Who enabled it again, for `endpoint.enabled`. */
  enabledBy: 'probe' | 'operator' | null;
  /** When it happened, ISO 8601. */
  at: string;
}

/**
 * Queues an e-mail to the company's owner about an endpoint, in the transaction that disabled or
 * enabled it, so the notice exists exactly when its cause does. Writes nothing when the company
 * has no `notification_email`. The worker sends it (notice-sender.ts) to the address and in the
 * language the company has when the mail goes out; with no SMTP configured it waits (up to 72 h).
 *
 * @example
 * await queueEndpointNotice(trx, {
 *   kind: 'endpoint.disabled', companyId, endpoint: { id, url, description },
 *   reason: 'the receiver answered 410 Gone', reasonCode: 'gone', heldDeliveries: 3,
 *   nextProbeAt: null, enabledBy: null, at: now.toISOString(),
 * });
 */
export async function queueEndpointNotice(trx: Kysely<Tables>, notice: EndpointNotice): Promise<void> {
  const company = await trx
    .selectFrom('companies')
    .select('notification_email')
    .where('id', '=', notice.companyId)
    .executeTakeFirst();
  if (!company?.notification_email) return;
  const at = new Date(notice.at);
  if (Number.isNaN(at.getTime())) throw new TypeError(`notice.at is not a timestamp: ${notice.at}`);
  const created = storedTimestamp(at);
  await trx
    .insertInto('owner_notifications')
    .values({
      id: newId('ntc'),
      company_id: notice.companyId,
      kind: notice.kind,
      payload: JSON.stringify(notice),
      created_at: created,
      attempts: 0,
      next_attempt_at: created,
      lease_expires_at: null,
      sent_at: null,
      last_error: null,
    })
    .execute();
}
