import type { DeliveryContext } from './delivery-context.js';
import { attemptRules } from './attempt-delivery.js';
import { recordAttempts, type AttemptResult } from './record-attempt.js';
import type { AttemptOutcome } from './store/delivery-store.js';

/** At most this many attempts per transaction, so one commit never holds the database for long. */
const MAX_BATCH = 256;
/** How long outcomes gather before a write. */
const COLLECT_MS = 5;

/**
 * Collects finished attempts and records them together: one transaction (one durable commit) per
 * batch instead of per delivery. A batch is whatever finished while the previous one was being
 * written, so under light load each attempt is recorded at once and under heavy load they share
 * commits. Every caller waits for its own attempt to be durable.
 */
export class AttemptBatcher {
  private queue: {
    outcome: AttemptOutcome;
    resolve: (r: AttemptResult) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private writing: Promise<void> | null = null;

  constructor(private readonly ctx: DeliveryContext) {}

  record(outcome: AttemptOutcome): Promise<AttemptResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ outcome, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  /** Resolves when everything queued so far is written. */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    // Let the attempts that finish in the next few milliseconds join the first batch: nobody waits
    // for the record (the receiver has its webhook; the slot is free again), and every transaction
    // costs a commit that writes each page it changed.
    await new Promise((resolve) => setTimeout(resolve, COLLECT_MS));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const results = await recordAttempts(
          this.ctx,
          batch.map((b) => b.outcome),
          attemptRules(this.ctx),
        );
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (error) {
        batch.forEach((b) => b.reject(error));
      }
    }
    this.writing = null;
  }
}
