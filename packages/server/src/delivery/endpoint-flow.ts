import { ConcurrencyLimit, type LimitBounds, type Ticket } from './concurrency-limit.js';
import { pauseUntil } from './failure-policy.js';
import type { WebhookResponse } from './webhook-sender.js';

/** After a stall, rate-limited deliveries go out at least this share of 1/rate apart. */
const CATCH_UP_SPACING = 0.8;

/**
 * What one worker knows of each endpoint's flow: its adaptive in-flight limit (concurrency-limit.ts),
 * the requests under way, and a pause it heard of itself (a 429 or 503 with `Retry-After`), which
 * holds its claims at once, before the database records it (endpoint-pause.ts). One entry per
 * endpoint this worker has sent to: bounded by the endpoints there are.
 */
export class EndpointFlow {
  private readonly endpoints = new Map<
    string,
    {
      limit: ConcurrencyLimit;
      active: number;
      pausedUntil: number;
      reported: number | null;
      /** When this worker last sent a rate-limited delivery of the endpoint (ms since the epoch). */
      lastPaced: number;
    }
  >();

  constructor(private readonly bounds: LimitBounds) {}

  private entry(endpointId: string) {
    let entry = this.endpoints.get(endpointId);
    if (entry === undefined) {
      entry = {
        limit: new ConcurrencyLimit(this.bounds),
        active: 0,
        pausedUntil: 0,
        reported: null,
        lastPaced: 0,
      };
      this.endpoints.set(endpointId, entry);
    }
    return entry;
  }

  /** Requests the endpoint may have in flight now. */
  limitOf(endpointId: string): number {
    return this.endpoints.get(endpointId)?.limit.current ?? new ConcurrencyLimit(this.bounds).current;
  }

  /** Whether an answer this worker got pauses the endpoint now (ms since the epoch). */
  paused(endpointId: string, nowMs: number): boolean {
    return (this.endpoints.get(endpointId)?.pausedUntil ?? 0) > nowMs;
  }

  /**
   * How long a rate-limited delivery must still wait (ms): until its slot, and at least 0.8/rate
   * after this worker's previous one to the endpoint — slots whose timers fire late together (a busy
   * event loop, a cold start) go out spaced, not in a burst, catching up at no more than 1.25 times
   * the rate (a full 1/rate would add each timer's lateness to every later slot and drift below the
   * rate). 0: send now (it is then counted as sent).
   */
  rateWait(endpointId: string, slotMs: number, rateLimit: number, nowMs: number): number {
    const entry = this.entry(endpointId);
    const wait = Math.max(slotMs, entry.lastPaced + (CATCH_UP_SPACING * 1000) / rateLimit) - nowMs;
    if (wait <= 0) entry.lastPaced = nowMs;
    return Math.max(0, wait);
  }

  /** A request to the endpoint goes out now. */
  started(endpointId: string): Ticket {
    const entry = this.entry(endpointId);
    entry.active++;
    return entry.limit.started(entry.active);
  }

  /** Its answer came (or none did): the limit learns from it, and a Retry-After pauses the endpoint. */
  finished(endpointId: string, ticket: Ticket, response: WebhookResponse, now: Date): void {
    const entry = this.entry(endpointId);
    entry.active = Math.max(0, entry.active - 1);
    entry.limit.finished(ticket, response.status, response.durationMs);
    const paused = pauseUntil(response.status, response.headers['retry-after'], now);
    // The latest answer's word, as in the database.
    if (paused !== null) entry.pausedUntil = paused.getTime();
  }

  /** Every endpoint's limit, for `/metrics`. */
  *limits(): Generator<[string, number]> {
    for (const [id, entry] of this.endpoints) yield [id, entry.limit.current];
  }

  /** The limits that changed since the last call, for the endpoints' API view. */
  changedLimits(): [string, number][] {
    const changed: [string, number][] = [];
    for (const [id, entry] of this.endpoints) {
      if (entry.reported === entry.limit.current) continue;
      entry.reported = entry.limit.current;
      changed.push([id, entry.reported]);
    }
    return changed;
  }
}
