import { describe, expect, it } from 'vitest';
import { EndpointSlots } from './endpoint-slots.js';

describe('EndpointSlots', () => {
  it('counts slots per endpoint and in all, and holds a delivery past the end of its request until let go', () => {
    const slots = new EndpointSlots();
    slots.take('ep_a', 'comp_1', 1);
    slots.take('ep_a', 'comp_1', 2);
    slots.take('ep_b', 'comp_1', 3);
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

  it('counts the slots of each company across its endpoints, and forgets a company with none', () => {
    const slots = new EndpointSlots();
    slots.take('ep_a', 'comp_1', 1);
    slots.take('ep_b', 'comp_1', 2);
    slots.take('ep_c', 'comp_2', 3);
    slots.take('ep_c', 'comp_2', 4);
    slots.take('ep_d', 'comp_3', 5);
    expect(['comp_1', 'comp_2', 'comp_3', 'comp_x'].map((c) => slots.sendingFor(c))).toEqual([2, 2, 1, 0]);
    // A request of the second company's endpoint ends; a delivery still held counts no slot.
    slots.free('ep_c');
    expect([slots.sendingFor('comp_2'), slots.sendingFor('comp_1')]).toEqual([1, 2]);
    slots.free('ep_c');
    expect(slots.sendingFor('comp_2')).toBe(0);
    // Freeing once more than was taken (an endpoint whose slots are all free) takes nothing from it.
    expect(slots.free('ep_c')).toBe(0);
    expect([slots.sendingFor('comp_2'), slots.sendingFor('comp_1'), slots.sendingFor('comp_3')]).toEqual([
      0, 2, 1,
    ]);
    slots.letGo('ep_c', 3);
    slots.letGo('ep_c', 4);
    // The endpoint is forgotten, its company with it: taken again, it counts from zero.
    slots.take('ep_c', 'comp_2', 6);
    expect(slots.sendingFor('comp_2')).toBe(1);
    slots.free('ep_b');
    expect(slots.sendingFor('comp_1')).toBe(1);
    // Its last slot free, the endpoint's delivery is still held until let go, and then no longer.
    expect([slots.sendingTo('ep_b'), [...slots.held('ep_b')]]).toEqual([0, [2]]);
    slots.letGo('ep_b', 2);
    expect(slots.held('ep_b').size).toBe(0);
    // An endpoint this worker never took a slot for: nothing to free.
    expect(slots.free('ep_never')).toBe(0);
  });
});
