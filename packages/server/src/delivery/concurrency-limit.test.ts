import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit, DECREASE, isOverload } from './concurrency-limit.js';

const bounds = { min: 1, max: 64 };

/**
 * Rounds against a receiver that allows `allowed` in flight: each round sends as many as the limit
 * lets, those beyond `allowed` are answered 429 first, then the others 200 in `latencyMs`.
 */
function simulate(limit: ConcurrencyLimit, allowed: number, rounds: number, latencyMs = 20) {
  const rejectedPerRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const n = limit.current;
    const tickets = Array.from({ length: n }, (_, i) => limit.started(i + 1));
    const rejected = tickets.slice(allowed);
    for (const t of rejected) limit.finished(t, 429, 1);
    for (const t of tickets.slice(0, allowed)) limit.finished(t, 200, latencyMs);
    rejectedPerRound.push(rejected.length);
  }
  return rejectedPerRound;
}

describe('ConcurrencyLimit (AIMD)', () => {
  it('slow-starts: each 2xx while the limit is used adds one', () => {
    const limit = new ConcurrencyLimit(bounds, 4);
    for (let i = 1; i <= 4; i++) limit.finished(limit.started(4), 200, 10);
    expect(limit.current).toBe(8);
  });

  it('stops at its maximum and never falls below its minimum', () => {
    const limit = new ConcurrencyLimit({ min: 3, max: 10 }, 4);
    for (let i = 0; i < 50; i++) limit.finished(limit.started(10), 200, 10);
    expect(limit.current).toBe(10);
    for (let i = 0; i < 50; i++) limit.finished(limit.started(10), 429, 10);
    expect(limit.current).toBe(3);
    // At the bounds, one more each way.
    const edge = new ConcurrencyLimit({ min: 2, max: 2 }, 2);
    edge.finished(edge.started(2), 200, 10);
    expect(edge.current).toBe(2);
    edge.finished(edge.started(2), 503, 10);
    expect(edge.current).toBe(2);
  });

  it('decreases once per round: answers to requests sent before the decrease do not count again', () => {
    const limit = new ConcurrencyLimit(bounds, 20);
    const tickets = Array.from({ length: 20 }, (_, i) => limit.started(i + 1));
    for (const t of tickets) limit.finished(t, 429, 5);
    expect(limit.current).toBe(Math.floor(20 * DECREASE));
    // A request sent after the decrease is overloaded too: a second decrease.
    limit.finished(limit.started(1), null, 10_000);
    expect(limit.current).toBe(Math.floor(20 * DECREASE * DECREASE));
  });

  it('does not grow on slow answers, nor while the endpoint uses less than half its limit', () => {
    const limit = new ConcurrencyLimit(bounds, 10);
    for (let i = 0; i < 20; i++) limit.finished(limit.started(10), 200, 100);
    const grown = limit.current;
    // Far slower than the usual 100 ms: held.
    for (let i = 0; i < 5; i++) limit.finished(limit.started(grown), 200, 1_000);
    expect(limit.current).toBe(grown);
    // 4 in flight of a limit of 30 or more: nothing learnt.
    for (let i = 0; i < 20; i++) limit.finished(limit.started(4), 200, 100);
    expect(limit.current).toBe(grown);
  });

  it('ignores answers that say nothing about load (a 500, a 404)', () => {
    const limit = new ConcurrencyLimit(bounds, 10);
    limit.finished(limit.started(10), 500, 10);
    limit.finished(limit.started(10), 404, 10);
    expect(limit.current).toBe(10);
    expect([429, 503, 504, null].map(isOverload)).toEqual([true, true, true, true]);
    expect([200, 500, 502, 404].map(isOverload)).toEqual([false, false, false, false]);
  });

  it('against a receiver that allows 4 in flight, settles near 4 and its 429s become rare', () => {
    const limit = new ConcurrencyLimit(bounds);
    const rejected = simulate(limit, 4, 2_000);
    // The first rounds overshoot; later, a probe above 4 is rare.
    const late = rejected.slice(1_000);
    expect(late.reduce((a, b) => a + b, 0) / (1_000 * 4)).toBeLessThan(0.01);
    expect(limit.current).toBeGreaterThanOrEqual(2);
    expect(limit.current).toBeLessThanOrEqual(5);
  });

  it('grows again when the receiver allows more', () => {
    const limit = new ConcurrencyLimit(bounds);
    simulate(limit, 4, 200);
    simulate(limit, 40, 400);
    expect(limit.current).toBeGreaterThan(20);
  });
});
