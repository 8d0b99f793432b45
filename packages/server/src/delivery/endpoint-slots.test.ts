import { describe, expect, it } from 'vitest';
import { EndpointSlots } from './endpoint-slots.js';

describe('EndpointSlots', () => {
  it('counts slots per endpoint and in all, and holds a delivery past the end of its request until let go', () => {
    const slots = new EndpointSlots();
    slots.take('ep_a', 1);
    slots.take('ep_a', 2);
    slots.take('ep_b', 3);
    expect([slots.sending, slots.sendingTo('ep_a'), slots.sendingTo('ep_b')]).toEqual([3, 2, 1]);
    expect([...slots.held('ep_a')]).toEqual([1, 2]);
    // The second of a's requests ends: its slot is free, the delivery is still held.
    expect(slots.free('ep_a')).toBe(1);
    expect([slots.sending, slots.sendingTo('ep_a')]).toEqual([2, 1]);
    expect([...slots.held('ep_a')]).toEqual([1, 2]);
    slots.letGo('ep_a', 2);
    expect([...slots.held('ep_a')]).toEqual([1]);
    expect(slots.free('ep_a')).toBe(0);
    slots.letGo('ep_a', 1);
    expect([slots.sendingTo('ep_a'), slots.held('ep_a').size]).toEqual([0, 0]);
    // Other endpoints are untouched, and an unknown one has nothing.
    expect([...slots.held('ep_b')]).toEqual([3]);
    expect([slots.sendingTo('ep_x'), slots.held('ep_x').size]).toEqual([0, 0]);
    slots.letGo('ep_x', 9);
    expect(slots.sending).toBe(1);
  });
});
