import { describe, expect, it } from 'vitest';
import { RATE_HORIZON_MS, rateRoom, slotTimes } from './rate-slots.js';

describe('rate slots (GCRA)', () => {
  it('reserves up to the horizon ahead: a second of slots when nothing is reserved', () => {
    expect(rateRoom(20, null, 10_000)).toBe(20);
    expect(rateRoom(20, 9_000, 10_000)).toBe(20);
    // Half the horizon already reserved: half the room.
    expect(rateRoom(20, 10_000 + RATE_HORIZON_MS / 2, 10_000)).toBe(10);
    // At the horizon, and past it: none.
    expect(rateRoom(20, 10_000 + RATE_HORIZON_MS, 10_000)).toBe(0);
    expect(rateRoom(20, 10_000 + RATE_HORIZON_MS + 1, 10_000)).toBe(0);
    // A slow rate still gets its one slot.
    expect(rateRoom(1, null, 10_000)).toBe(1);
  });

  it('spaces the reserved deliveries 1/rate apart, ending at the row’s next free slot', () => {
    expect(slotTimes(1_200, 4, 20)).toEqual([1_000, 1_050, 1_100, 1_150]);
    expect(slotTimes(5_000, 1, 1)).toEqual([4_000]);
  });
});
