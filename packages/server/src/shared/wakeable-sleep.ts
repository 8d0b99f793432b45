/**
 * A loop's pause between rounds that a wake-up cuts short: `wake()` during a sleep ends it at once,
 * and a wake-up between two sleeps makes the next one return at once, so no wake-up is lost. Used by
 * the delivery worker and the owner e-mail sender.
 */
export class WakeableSleep {
  private woken = false;
  private wakeSleeper: (() => void) | null = null;

  wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  /** Sleeps `ms`, or not at all when woken since the last sleep or when `skip` (the loop is stopping). */
  sleep(ms: number, skip = false): Promise<void> {
    if (this.woken || skip) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = () => {
        this.wakeSleeper = null;
        this.woken = false;
        done();
      };
    });
  }
}
