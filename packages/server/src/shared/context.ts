import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import type { Clock } from './clock.js';
import type { ListCursors } from './cursor.js';

/**
 * What feature code needs from the outside world, injected so tests control time and randomness.
 * The delivery engine's own needs (sender, secrets, store) are in `DeliveryContext`
 * (delivery/delivery-context.ts), read only by `delivery/` and `webhooks/`.
 */
export interface AppContext {
  readonly db: Kysely<Tables>;
  readonly clock: Clock;
  readonly newMemberId: () => string;
  readonly newCouponCode: () => string;
  /** Resolves once every commit so far is on disk; awaited before a change is acknowledged or sent. */
  readonly syncToDisk: () => Promise<void>;
  /** Opaque, per-company list cursors, keyed from the master key (cursor.ts). */
  readonly cursors: ListCursors;
  /** After an erasure: drops what the storage keeps of overwritten rows (db/database.ts); unset: nothing. */
  readonly forgetOverwrittenData?: () => Promise<void>;
}
