/**
 * The adaptive in-flight limit of one endpoint: AIMD (additive increase, multiplicative decrease),
 * as TCP's congestion window, with a remembered ceiling. Pure: no clock, no I/O.
 *
 * Why AIMD and not a gradient (Vegas-style) limiter: a webhook receiver tells us when it is
 * overloaded, in so many words (429, 503, a timeout, a refused connection), while its latency is a
 * poor signal — serverless cold starts and CRMs answer in a long tail whether loaded or not, so a
 * gradient limiter reading latency alone either never grows or shrinks on noise. AIMD reacts to the
 * explicit signals, converges when several workers share one receiver (each backs off on the same
 * 429s), and is easy to reason about. Latency is used only as a brake: the limit does not grow while
 * answers come much slower than the endpoint's usual.
 *
 * - Slow start: until the first overload, each 2xx adds 1 (the limit doubles every round).
 * - Then each 2xx adds 1/limit (one per round) — but near the level of the last overload (the
 *   ceiling) growth is `patience` times slower, and patience doubles each time the endpoint is
 *   overloaded again near the same level: a receiver that allows exactly N in flight is probed
 *   above N more and more rarely, so its 429s become rare. Once the limit is well past the ceiling
 *   without an overload, the ceiling is forgotten (the receiver takes more now).
 * - An overload signal multiplies the limit by {@link DECREASE}, once per round: signals about
 *   requests sent before the last decrease are ignored (they were sent under the old limit).
 * - A 2xx whose latency is more than {@link LATENCY_TOLERANCE} × the usual, or one sent while the
 *   endpoint used less than half its limit (nothing was learnt about the limit), leaves it alone.
 */

/** The multiplicative decrease on overload (CUBIC's 0.7: gentler than halving, still convergent). */
export const DECREASE = 0.7;
/** A 2xx slower than this many times the endpoint's usual latency does not grow the limit. */
export const LATENCY_TOLERANCE = 2;
/** ... plus this, so loopback's 1 ms against 3 ms is not "slow". */
const LATENCY_SLACK_MS = 5;
/** The usual latency is a moving average of 2xx latencies with this weight per sample (~32 samples). */
const BASELINE_WEIGHT = 1 / 32;
/** Patience near the ceiling starts at this and doubles per overload there, up to the maximum. */
const FIRST_PATIENCE = 4;
const MAX_PATIENCE = 64;

export interface LimitBounds {
  /** Never fewer requests in flight than this. */
  min: number;
  /** Never more than this. */
  max: number;
}

/** Statuses (and `null`: no answer — a timeout or a connection error) that mean "too much". */
export function isOverload(status: number | null): boolean {
  return status === null || status === 429 || status === 503 || status === 504;
}

export class ConcurrencyLimit {
  private value: number;
  private slowStart = true;
  /** The limit when the endpoint was last overloaded. */
  private ceiling: number | null = null;
  private patience = 1;
  private baselineMs: number | null = null;
  /** Requests are numbered as they are sent; a decrease ignores those numbered up to this. */
  private sent = 0;
  private decreasedAfter = 0;

  constructor(
    private readonly bounds: LimitBounds,
    initial = Math.min(bounds.max, Math.max(bounds.min, 8)),
  ) {
    this.value = initial;
  }

  /** Requests that may be in flight now. */
  get current(): number {
    return Math.max(this.bounds.min, Math.min(this.bounds.max, Math.floor(this.value)));
  }

  /** The usual latency of a 2xx (ms), once one has come. */
  get baseline(): number | null {
    return this.baselineMs;
  }

  /** A request starts, with `inFlight` requests of the endpoint under way (itself included): its ticket. */
  started(inFlight: number): Ticket {
    return { number: ++this.sent, used: inFlight >= this.current / 2 };
  }

  /** Its answer came: `status` (null: none) after `latencyMs`. */
  finished(ticket: Ticket, status: number | null, latencyMs: number): void {
    if (status !== null && status >= 200 && status < 300) this.succeeded(ticket, latencyMs);
    else if (isOverload(status)) this.overloaded(ticket);
  }

  private succeeded(ticket: Ticket, latencyMs: number): void {
    const baseline = this.baselineMs ?? latencyMs;
    this.baselineMs = baseline + (latencyMs - baseline) * BASELINE_WEIGHT;
    if (!ticket.used || latencyMs > baseline * LATENCY_TOLERANCE + LATENCY_SLACK_MS) return;
    if (this.slowStart) {
      this.value = Math.min(this.bounds.max, this.value + 1);
      return;
    }
    const nearCeiling = this.ceiling !== null && this.value + 1 > this.ceiling;
    const step = 1 / (this.value * (nearCeiling ? this.patience : 1));
    this.value = Math.min(this.bounds.max, this.value + step);
    // Well past the old ceiling without an overload: the receiver takes more now; forget it.
    if (this.ceiling !== null && this.value > this.ceiling + nearness(this.ceiling)) {
      this.ceiling = null;
      this.patience = 1;
    }
  }

  private overloaded(ticket: Ticket): void {
    if (ticket.number <= this.decreasedAfter) return;
    this.decreasedAfter = this.sent;
    const before = this.value;
    // Overloaded again near the same level: probe above it half as often from now on.
    const sameLevel = this.ceiling !== null && Math.abs(before - this.ceiling) <= nearness(this.ceiling);
    this.patience = sameLevel ? Math.min(MAX_PATIENCE, this.patience * 2) : FIRST_PATIENCE;
    this.ceiling = before;
    this.slowStart = false;
    this.value = Math.max(this.bounds.min, before * DECREASE);
  }
}

/** How close to the ceiling counts as "the same level". */
function nearness(ceiling: number): number {
  return Math.max(1, ceiling / 8);
}

/** What the limiter remembers of one request between its start and its answer. */
export interface Ticket {
  readonly number: number;
  /** Sent while the endpoint used at least half its limit: its success says the limit was fine. */
  readonly used: boolean;
}
