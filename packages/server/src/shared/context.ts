import type { Kysely } from 'kysely';
import type { DialectName } from '../db/dialect.js';
import type { Tables } from '../db/tables.js';
import type { HostResolver } from '../delivery/address-guard.js';
import type { DeliveryStore } from '../delivery/delivery-store.js';
import type { WebhookSender } from '../delivery/webhook-sender.js';
import type { SecretBox } from '../webhooks/secret-box.js';
import type { Clock } from './clock.js';
import type { ListCursors } from './cursor.js';

/** What webhook features need: secrets at rest, the sender, and the delivery rules. */
export interface WebhookSettings {
  readonly secretBox: SecretBox;
  readonly sender: WebhookSender;
  readonly allowPrivateNetwork: boolean;
  readonly resolve: HostResolver;
  readonly timeoutMs: number;
  readonly retrySchedule: readonly number[];
  /** An endpoint failing every attempt for this long is disabled. */
  readonly disableAfterMs: number;
  readonly userAgent: string;
}

/** What feature code needs from the outside world, injected so tests control time and randomness. */
export interface AppContext {
  readonly db: Kysely<Tables>;
  readonly dialect: DialectName;
  readonly clock: Clock;
  readonly newMemberId: () => string;
  readonly newCouponCode: () => string;
  /** Told after a transaction that recorded events has committed (wakes the delivery worker). */
  readonly eventsCommitted: () => void;
  /** Resolves once every commit so far is on disk; awaited before a change is acknowledged or sent. */
  readonly syncToDisk: () => Promise<void>;
  /** The delivery worker's hot path (claims, successes) in fixed SQL for the dialect. */
  readonly deliveryStore: DeliveryStore;
  readonly webhooks: WebhookSettings;
  /** Opaque, per-company list cursors, keyed from the master key (cursor.ts). */
  readonly cursors: ListCursors;
  /** A number in [0, 1): retry jitter. */
  readonly random: () => number;
}
