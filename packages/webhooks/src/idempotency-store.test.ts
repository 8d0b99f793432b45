import { describe, expect, it } from 'vitest';
import { createMemoryIdempotencyStore } from './idempotency-store.js';
import { timingSafeEqual } from './timing-safe-equal.js';

describe('the in-memory idempotency store', () => {
  it('tells new, in-progress and done events apart, and forgets an aborted one', () => {
    const store = createMemoryIdempotencyStore();
    expect(store.begin('evt_1')).toBe('new');
    expect(store.begin('evt_1')).toBe('in_progress');
    store.abort('evt_1');
    expect(store.begin('evt_1')).toBe('new');
    store.complete('evt_1');
    expect(store.begin('evt_1')).toBe('done');
  });

  it('forgets the oldest beyond maxEntries and anything past its ttl', () => {
    let now = 0;
    const store = createMemoryIdempotencyStore({ maxEntries: 2, ttlMs: 100, now: () => now });
    for (const id of ['a', 'b', 'c']) {
      store.begin(id);
      store.complete(id);
    }
    expect(store.begin('a')).toBe('new');
    expect(store.begin('c')).toBe('done');
    now = 101;
    expect(store.begin('c')).toBe('new');
  });
});

describe('timingSafeEqual', () => {
  it('compares strings of any length', () => {
    expect(timingSafeEqual('sha256=abc', 'sha256=abc')).toBe(true);
    expect(timingSafeEqual('sha256=abc', 'sha256=abd')).toBe(false);
    expect(timingSafeEqual('short', 'longer string')).toBe(false);
  });
});
