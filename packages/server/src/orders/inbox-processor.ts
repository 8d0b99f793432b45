import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import { isUniqueViolation } from '../db/constraint-error.js';
import { lockForUpdate } from '../db/row-locks.js';
import { runInTransaction } from '../db/transaction.js';
import type { AppContext } from '../shared/context.js';
import { WakeableSleep } from '../shared/wakeable-sleep.js';
import { processPartnerBody } from './process-inbox.js';

export interface InboxProcessorOptions {
  /** How often to look for received bodies when idle. */
  pollMs: number;
  /**
   * How long a claim holds a body; a worker that dies leaves it to the next after this. Short is safe:
   * a body processed twice at once is still credited once (its row is locked and re-read in the
   * processing transaction), so this only bounds how long a killed worker's body waits.
   */
  leaseMs: number;
  /** After a failed try, the body waits this long times the attempts so far (capped at an hour). */
  retryBaseMs: number;
  /** Tries before a body is given up (`failed` in the inbox, its error kept). */
  maxAttempts: number;
}

export const DEFAULT_INBOX_OPTIONS: InboxProcessorOptions = {
  pollMs: 500,
  leaseMs: 10_000,
  retryBaseMs: 5_000,
  maxAttempts: 10,
};

/**
 * Processes the bodies partners POSTed (partner-inbox.ts), oldest first, from the worker process,
 * beside the delivery worker and the owner e-mail sender. A body is claimed under a lease, then
 * processed in one transaction that re-reads it locked and marks it processed with its orders'
 * outcomes: all of it happens exactly once, or not at all (a crash, a kill -9) and then again.
 */
export class InboxProcessor {
  private stopping = false;
  private loop: Promise<void> | null = null;
  private readonly pause = new WakeableSleep();

  constructor(
    private readonly ctx: AppContext,
    private readonly log: FastifyBaseLogger,
    private readonly options: InboxProcessorOptions = DEFAULT_INBOX_OPTIONS,
  ) {}

  start(): void {
    if (!this.loop) this.loop = this.run();
  }

  wake(): void {
    this.pause.wake();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let busy = false;
      try {
        busy = await this.processNext();
      } catch (error) {
        this.log.error({ err: error }, 'partner inbox: reading the inbox failed; retrying shortly');
      }
      if (!busy) await this.pause.sleep(this.options.pollMs, this.stopping);
    }
  }

  /** Claims and processes the oldest due body; false when there was none. */
  async processNext(): Promise<boolean> {
    const now = this.ctx.clock();
    const stamp = now.toISOString();
    const due = await this.ctx.db
      .selectFrom('partner_inbox')
      .select('id')
      .where('processed_at', 'is', null)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', stamp)]))
      .orderBy('received_at')
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (!due) return false;
    const claimed = await this.ctx.db
      .updateTable('partner_inbox')
      .set({
        lease_expires_at: new Date(now.getTime() + this.options.leaseMs).toISOString(),
        attempts: sql<number>`attempts + 1`,
      })
      .where('id', '=', due.id)
      .where('processed_at', 'is', null)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', stamp)]))
      .returning(['id', 'attempts'])
      .executeTakeFirst();
    // Another worker claimed it first: look again.
    if (!claimed) return true;
    try {
      await this.processClaimed(claimed.id);
    } catch (error) {
      await this.recordFailure(claimed.id, Number(claimed.attempts), error);
    }
    return true;
  }

  private async processClaimed(id: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await runInTransaction(this.ctx.db, async (trx) => {
          const row = await lockForUpdate(
            trx.selectFrom('partner_inbox').selectAll().where('id', '=', id),
            trx,
          ).executeTakeFirst();
          if (!row || row.processed_at !== null) return;
          const outcomes = await processPartnerBody(trx, this.ctx, row);
          await trx
            .updateTable('partner_inbox')
            .set({
              processed_at: this.ctx.clock().toISOString(),
              outcomes: JSON.stringify(outcomes),
              lease_expires_at: null,
              last_error: null,
            })
            .where('id', '=', id)
            .execute();
          this.log.info(
            { inbox: id, partner: row.partner, orders: outcomes.length },
            'partner inbox: body processed',
          );
        });
        // Acknowledged partners were answered after their body's fsync; the credits get theirs too.
        await this.ctx.syncToDisk();
        return;
      } catch (error) {
        // An order credited through the API at the same instant: the whole body runs again and
        // finds it (a duplicate).
        if (!isUniqueViolation(error) || attempt >= 3) throw error;
      }
    }
  }

  private async recordFailure(id: string, attempts: number, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const givenUp = attempts >= this.options.maxAttempts;
    const retryAt = new Date(
      this.ctx.clock().getTime() + Math.min(3_600_000, this.options.retryBaseMs * attempts),
    );
    await this.ctx.db
      .updateTable('partner_inbox')
      .set(
        givenUp
          ? { processed_at: this.ctx.clock().toISOString(), lease_expires_at: null, last_error: message }
          : { lease_expires_at: retryAt.toISOString(), last_error: message },
      )
      .where('id', '=', id)
      .execute();
    this.log.error(
      { inbox: id, attempts, err: error },
      givenUp ? 'partner inbox: body given up' : 'partner inbox: processing failed; will retry',
    );
  }
}
