import type { FastifyBaseLogger } from 'fastify';
import { WakeableSleep } from '../shared/wakeable-sleep.js';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import type { Clock } from '../shared/clock.js';
import { DEFAULT_LANGUAGE, isLanguage } from '../shared/languages.js';
import { composeNoticeEmail } from './notice-email.js';
import { NOTICE_MAX_AGE_MS, NOTICE_RETRY_SCHEDULE_MS, nextNoticeAttempt } from './notice-policy.js';
import {
  claimDueNotices,
  countWaitingNotices,
  expireStaleNotices,
  hasDueNotices,
  markNoticeSent,
  pruneOwnerNotices,
  recordNoticeFailure,
  releaseNotice,
  type ClaimedNotice,
} from './notice-store.js';
import type { EndpointNotice } from './owner-notices.js';
import { MAX_SEND_MS, MailerError, type Mailer } from './smtp-mailer.js';

export interface NoticeSenderOptions {
  /** The SMTP server; `null` when none is configured: notices wait, none is sent or tried. */
  mailer: Mailer | null;
  /** How often to look for due notices (they are rare and not urgent to the second). */
  pollMs: number;
  /** How long a claim holds a notice; longer than any send can take. */
  leaseMs: number;
  /** Delay after each failed try (notice-policy.ts); after the last, the notice is given up. */
  retryScheduleMs: readonly number[];
  /** A notice not sent within this long is given up. */
  maxAgeMs: number;
  /** Notices older than this are deleted, whatever became of them (`ZUPY_RETENTION`). */
  retentionMs: number;
  pruneEveryMs: number;
  batchSize: number;
}

export function defaultNoticeSenderOptions(mailer: Mailer | null, retentionMs: number): NoticeSenderOptions {
  return {
    mailer,
    pollMs: 5_000,
    leaseMs: MAX_SEND_MS + 30_000,
    retryScheduleMs: NOTICE_RETRY_SCHEDULE_MS,
    maxAgeMs: NOTICE_MAX_AGE_MS,
    retentionMs,
    pruneEveryMs: 3_600_000,
    batchSize: 10,
  };
}

/**
 * Sends the owner e-mails queued by `queueEndpointNotice`, one at a time, from the worker process.
 * Each is claimed under a lease (several workers never hold the same one), sent, then marked sent;
 * a failed send is tried again on the retry schedule. A worker killed mid-send leaves the lease to
 * expire and the notice is sent again: at least once, never lost.
 */
export class OwnerNoticeSender {
  private stopping = false;
  private loop: Promise<void> | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private readonly pause = new WakeableSleep();
  private readonly shutdown = new AbortController();

  constructor(
    private readonly db: Kysely<Tables>,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly options: NoticeSenderOptions,
  ) {}

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
    this.pruneTimer = setInterval(() => void this.prune(), this.options.pruneEveryMs).unref();
    if (!this.options.mailer) void this.reportWaiting();
  }

  /** Look for due notices now. */
  wake(): void {
    this.pause.wake();
  }

  /**
   * Stops looking; a send under way may finish within `graceMs`, then it is cut short and its
   * notice given back for the next worker.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.wake();
    if (!this.loop) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.loop.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) this.shutdown.abort();
    await this.loop;
  }

  /** Gives up what is too old to send, and deletes what the retention period says is old. */
  async prune(): Promise<void> {
    try {
      const now = this.clock();
      await this.expire(now);
      const pruned = await pruneOwnerNotices(this.db, new Date(now.getTime() - this.options.retentionMs));
      if (pruned > 0) this.log.info({ pruned }, 'pruned old owner e-mail notices');
    } catch (error) {
      this.log.error({ err: error }, 'pruning owner e-mail notices failed');
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.options.mailer) await this.sendDue(this.options.mailer);
      } catch (error) {
        this.log.error({ err: error }, 'owner e-mails: reading the queue failed; retrying shortly');
      }
      await this.sleep(this.options.pollMs);
    }
  }

  private async sendDue(mailer: Mailer): Promise<void> {
    if (!(await hasDueNotices(this.db, this.clock()))) return;
    await this.expire(this.clock());
    while (!this.stopping) {
      const now = this.clock();
      const claimed = await claimDueNotices(this.db, {
        now,
        leaseUntil: new Date(now.getTime() + this.options.leaseMs),
        limit: this.options.batchSize,
      });
      for (const [i, notice] of claimed.entries()) {
        if (this.stopping) {
          // Stopping: what this worker claimed but has not begun is given back at once.
          for (const rest of claimed.slice(i)) await releaseNotice(this.db, rest.row.id);
          return;
        }
        await this.sendOne(mailer, notice);
      }
      if (claimed.length < this.options.batchSize) return;
    }
  }

  private async sendOne(mailer: Mailer, claimed: ClaimedNotice): Promise<void> {
    const { row } = claimed;
    const about = { notice: row.id, company: row.company_id, kind: row.kind, attempt: row.attempts };
    if (claimed.recipient === null) {
      await recordNoticeFailure(this.db, row.id, {
        nextAttemptAt: null,
        error: 'not sent: the company has no notification_email any more',
      });
      this.log.info(about, 'owner e-mail dropped: the company removed its notification address');
      return;
    }
    const language = isLanguage(claimed.language) ? claimed.language : DEFAULT_LANGUAGE;
    const email = composeNoticeEmail(JSON.parse(row.payload) as EndpointNotice, {
      language,
      companyName: claimed.companyName,
    });
    try {
      await mailer.send({ to: claimed.recipient, ...email }, this.shutdown.signal);
    } catch (error) {
      if (this.shutdown.signal.aborted) {
        await releaseNotice(this.db, row.id);
        return;
      }
      const failure = error instanceof MailerError ? error : new MailerError(String(error), false);
      const next = nextNoticeAttempt(
        row.attempts,
        failure.permanent,
        this.clock(),
        this.options.retryScheduleMs,
      );
      await recordNoticeFailure(this.db, row.id, { nextAttemptAt: next, error: failure.message });
      if (next) {
        this.log.warn(
          { ...about, error: failure.message, retry_at: next.toISOString() },
          'owner e-mail not sent; will retry',
        );
      } else {
        this.log.error({ ...about, error: failure.message }, 'owner e-mail not sent; given up');
      }
      return;
    }
    // Sent. Should this mark fail, the lease expires and the e-mail goes again: at least once.
    await markNoticeSent(this.db, row.id, this.clock());
    this.log.info(about, 'owner e-mail sent');
  }

  private async expire(now: Date): Promise<void> {
    const hours = Math.round(this.options.maxAgeMs / 3_600_000);
    const expired = await expireStaleNotices(this.db, {
      before: new Date(now.getTime() - this.options.maxAgeMs),
      now,
      error: `not sent within ${hours} h of its cause (SMTP unreachable or not configured): given up`,
    });
    if (expired > 0) this.log.warn({ expired }, `owner e-mails given up: not sent within ${hours} h`);
  }

  private async reportWaiting(): Promise<void> {
    try {
      const waiting = await countWaitingNotices(this.db);
      if (waiting > 0) {
        this.log.info({ waiting }, 'owner e-mails wait to be sent, but no SMTP server is configured');
      }
    } catch (error) {
      this.log.warn({ err: error }, 'could not count the waiting owner e-mails');
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.pause.sleep(ms, this.stopping);
  }
}
