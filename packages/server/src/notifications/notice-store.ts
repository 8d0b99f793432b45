import type { Kysely } from 'kysely';
import { lockSkippingLocked } from '../db/row-locks.js';
import type { OwnerNotificationRow, Tables } from '../db/tables.js';
import { runWithoutWaitingForDisk } from '../db/transaction.js';
import { storedTimestamp } from '../shared/timestamps.js';

/** A notice claimed for sending, with where and how to write it read from its company now. */
export interface ClaimedNotice {
  row: OwnerNotificationRow;
  companyName: string;
  /** null: the company removed its address since the notice was queued. */
  recipient: string | null;
  language: string;
}

/**
 * Takes up to `limit` due notices under a lease until `leaseUntil`, counting the try. On
 * PostgreSQL rows another worker is claiming are skipped (`FOR UPDATE SKIP LOCKED`) and a leased
 * row is not due until its lease expires, so two workers never hold one notice; on SQLite the claim
 * is one write transaction, which other processes wait for.
 */
export async function claimDueNotices(
  db: Kysely<Tables>,
  options: { now: Date; leaseUntil: Date; limit: number },
): Promise<ClaimedNotice[]> {
  const now = storedTimestamp(options.now);
  return runWithoutWaitingForDisk(db, async (trx) => {
    const due = await lockSkippingLocked(
      trx
        .selectFrom('owner_notifications')
        .select('id')
        .where('next_attempt_at', 'is not', null)
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
        .orderBy('next_attempt_at')
        .limit(options.limit),
      trx,
    ).execute();
    if (due.length === 0) return [];
    const ids = due.map((r) => r.id);
    await trx
      .updateTable('owner_notifications')
      .set((eb) => ({
        lease_expires_at: storedTimestamp(options.leaseUntil),
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', 'in', ids)
      .execute();
    const rows = await trx
      .selectFrom('owner_notifications as n')
      .innerJoin('companies as c', 'c.id', 'n.company_id')
      .selectAll('n')
      .select(['c.name as company_name', 'c.notification_email', 'c.language'])
      .where('n.id', 'in', ids)
      .orderBy('n.next_attempt_at')
      .execute();
    return rows.map(({ company_name, notification_email, language, ...row }) => ({
      row,
      companyName: company_name,
      recipient: notification_email,
      language,
    }));
  });
}

/** The server took it: done. */
export async function markNoticeSent(db: Kysely<Tables>, id: string, now: Date): Promise<void> {
  await runWithoutWaitingForDisk(db, (trx) =>
    trx
      .updateTable('owner_notifications')
      .set({ sent_at: storedTimestamp(now), next_attempt_at: null, lease_expires_at: null, last_error: null })
      .where('id', '=', id)
      .execute(),
  );
}

/** A failed try: due again at `nextAttemptAt`, or given up (`null`); `error` says why. */
export async function recordNoticeFailure(
  db: Kysely<Tables>,
  id: string,
  outcome: { nextAttemptAt: Date | null; error: string },
): Promise<void> {
  await runWithoutWaitingForDisk(db, (trx) =>
    trx
      .updateTable('owner_notifications')
      .set({
        next_attempt_at: outcome.nextAttemptAt === null ? null : storedTimestamp(outcome.nextAttemptAt),
        lease_expires_at: null,
        last_error: outcome.error.slice(0, 1000),
      })
      .where('id', '=', id)
      .where('sent_at', 'is', null)
      .execute(),
  );
}

/** Gives a claimed notice back untried (a shutdown cut its send short): due at once, for any worker. */
export async function releaseNotice(db: Kysely<Tables>, id: string): Promise<void> {
  await runWithoutWaitingForDisk(db, (trx) =>
    trx
      .updateTable('owner_notifications')
      .set((eb) => ({ lease_expires_at: null, attempts: eb('attempts', '-', 1) }))
      .where('id', '=', id)
      .where('sent_at', 'is', null)
      .execute(),
  );
}

/**
 * Notices still unsent that were queued before `before` are given up: too late to be news. One a
 * worker is sending right now (its lease runs) is left to finish.
 */
export async function expireStaleNotices(
  db: Kysely<Tables>,
  options: { before: Date; now: Date; error: string },
): Promise<number> {
  const cutoff = storedTimestamp(options.before);
  const now = storedTimestamp(options.now);
  const result = await runWithoutWaitingForDisk(db, (trx) =>
    trx
      .updateTable('owner_notifications')
      .set({ next_attempt_at: null, lease_expires_at: null, last_error: options.error })
      .where('next_attempt_at', 'is not', null)
      .where('created_at', '<', cutoff)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows);
}

/** Deletes notices (sent, given up or still waiting) queued before `before`: the retention period. */
export async function pruneOwnerNotices(db: Kysely<Tables>, before: Date): Promise<number> {
  const result = await runWithoutWaitingForDisk(db, (trx) =>
    trx
      .deleteFrom('owner_notifications')
      .where('created_at', '<', storedTimestamp(before))
      .executeTakeFirst(),
  );
  return Number(result.numDeletedRows);
}

/** Notices waiting to be sent (what a worker with no SMTP leaves queued). */
export async function countWaitingNotices(db: Kysely<Tables>): Promise<number> {
  const row = await db
    .selectFrom('owner_notifications')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('next_attempt_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether any notice is due now: a plain read, so an idle worker takes no write lock to find out. */
export async function hasDueNotices(db: Kysely<Tables>, now: Date): Promise<boolean> {
  const at = storedTimestamp(now);
  const row = await db
    .selectFrom('owner_notifications')
    .select('id')
    .where('next_attempt_at', 'is not', null)
    .where('next_attempt_at', '<=', at)
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', at)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
