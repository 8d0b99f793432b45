/**
 * Remembers which events were handled, so a redelivered event (Zupy delivers at least once) runs your
 * handler only once. The in-memory store suits one process; for several, implement this interface
 * over Redis (`SET id 1 NX EX 86400`) or a database table with a unique key.
 */
export interface IdempotencyStore {
  /**
   * Marks `eventId` as being handled. Returns `'new'` when the caller should handle it, `'done'` when
   * it was handled already, `'in_progress'` when another request is handling it right now.
   */
  begin(eventId: string): Promise<'new' | 'done' | 'in_progress'> | 'new' | 'done' | 'in_progress';
  /** The handler succeeded: remember the event as done. */
  complete(eventId: string): Promise<void> | void;
  /** The handler failed: forget the event, so the sender's retry runs it again. */
  abort(eventId: string): Promise<void> | void;
}

export interface MemoryStoreOptions {
  /** How many handled event ids to remember (oldest forgotten first). Default 10,000. */
  maxEntries?: number;
  /** How long to remember one, in ms. Default 24 h, longer than Zupy's whole retry schedule. */
  ttlMs?: number;
  now?: () => number;
}

/** The in-memory store answers at once. */
export interface MemoryIdempotencyStore extends IdempotencyStore {
  begin(eventId: string): 'new' | 'done' | 'in_progress';
  complete(eventId: string): void;
  abort(eventId: string): void;
}

/** An in-memory {@link IdempotencyStore}: right for one process, forgotten on restart. */
export function createMemoryIdempotencyStore(options: MemoryStoreOptions = {}): MemoryIdempotencyStore {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? 24 * 3_600_000;
  const now = options.now ?? Date.now;
  const done = new Map<string, number>();
  const inProgress = new Set<string>();
  return {
    begin(eventId) {
      const expires = done.get(eventId);
      if (expires !== undefined && expires > now()) return 'done';
      done.delete(eventId);
      if (inProgress.has(eventId)) return 'in_progress';
      inProgress.add(eventId);
      return 'new';
    },
    complete(eventId) {
      inProgress.delete(eventId);
      done.set(eventId, now() + ttlMs);
      // Maps iterate in insertion order: the first keys are the oldest.
      for (const key of done.keys()) {
        if (done.size <= maxEntries) break;
        done.delete(key);
      }
    },
    abort(eventId) {
      inProgress.delete(eventId);
    },
  };
}
