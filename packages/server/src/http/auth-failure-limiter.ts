/** Wrong API keys per client address and minute before that address is refused for the minute. */
export const MAX_AUTH_FAILURES_PER_MINUTE = 20;
const WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;

/**
 * Slows down API-key guessing: the per-key rate limit cannot see a guesser who sends a new key every
 * time, so failed authentications are counted per client address instead.
 */
export class AuthFailureLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max = MAX_AUTH_FAILURES_PER_MINUTE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the address may try again, or 0 when it may try now. */
  retryAfter(address: string): number {
    const entry = this.failures.get(address);
    if (!entry || entry.resetAt <= this.now() || entry.count < this.max) return 0;
    return Math.ceil((entry.resetAt - this.now()) / 1000);
  }

  recordFailure(address: string): void {
    const now = this.now();
    const entry = this.failures.get(address);
    if (entry && entry.resetAt > now) {
      entry.count++;
      return;
    }
    if (this.failures.size >= MAX_TRACKED) {
      for (const [key, value] of this.failures) if (value.resetAt <= now) this.failures.delete(key);
      if (this.failures.size >= MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
    }
    this.failures.set(address, { count: 1, resetAt: now + WINDOW_MS });
  }
}
