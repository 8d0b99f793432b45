import { describe, expect, it } from 'vitest';
import { RATE_HORIZON_MS, SLOT_TOLERANCE_MS, rateRoom, slotMissed, slotTimes } from './rate-slots.js';

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

  it('gives a slot up once it is later than the tolerance, or than one slot at a slow rate', () => {
    expect(slotMissed(1_000, 20, 1_000 + SLOT_TOLERANCE_MS)).toBe(false);
    expect(slotMissed(1_000, 20, 1_000 + SLOT_TOLERANCE_MS + 1)).toBe(true);
    // 1/s: a slot is a second long.
    expect(slotMissed(1_000, 1, 2_000)).toBe(false);
    expect(slotMissed(1_000, 1, 2_001)).toBe(true);
  });
});
