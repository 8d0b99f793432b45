/**
 * Pacing an endpoint to its `rate_limit` (deliveries per second) across every worker: GCRA. The
 * endpoint's row holds its next free send slot (`rate_slot_ms`); a claim reserves one slot per
 * delivery from it in one UPDATE of that row only (the adapters' RESERVE), and each delivery waits in
 * the worker until its slot. Pure: the arithmetic of the reservation.
 */

/** Slots are reserved at most this far ahead (ms): what a worker holds waiting, bounded. */
export const RATE_HORIZON_MS = 1_000;

/** How many more deliveries may be reserved now, given the next free slot (`null`: none reserved). */
export function rateRoom(rateLimit: number, slotMs: number | null, nowMs: number): number {
  const ahead = Math.max(0, (slotMs ?? 0) - nowMs);
  return Math.max(0, Math.ceil(((RATE_HORIZON_MS - ahead) * rateLimit) / 1000));
}

/**
 * When each of `count` deliveries may be sent, given the row's next free slot after the reservation
 * (`endMs`): one every 1/rate s, the last just before `endMs`.
 */
export function slotTimes(endMs: number, count: number, rateLimit: number): number[] {
  const interval = 1000 / rateLimit;
  return Array.from({ length: count }, (_, i) => endMs - (count - i) * interval);
}

/** A delivery this late for its slot is given back instead of sent (ms; at least one slot's length). */
export const SLOT_TOLERANCE_MS = 50;

/** Whether a delivery is so late for its slot that sending it would crowd the next slots. */
export function slotMissed(slotMs: number, rateLimit: number, nowMs: number): boolean {
  return nowMs - slotMs > Math.max(SLOT_TOLERANCE_MS, 1000 / rateLimit);
}
