import type { StorageHealth } from '../db/storage-health.js';
import type { AppContext } from '../shared/context.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { HostResolver } from './address-guard.js';
import type { DeliveryStore } from './store/delivery-store.js';
import type { WebhookSender } from './webhook-sender.js';

/** What the delivery engine needs: secrets at rest, the sender, and the delivery rules. */
export interface WebhookSettings {
  readonly secretBox: SecretBox;
  readonly sender: WebhookSender;
  readonly allowPrivateNetwork: boolean;
  readonly resolve: HostResolver;
  readonly timeoutMs: number;
  readonly retrySchedule: readonly number[];
  /** An endpoint failing every attempt for this long is disabled. */
  readonly disableAfterMs: number;
  /** Delays between probes of an endpoint disabled for a failure streak (ms); the last one repeats. */
  readonly probeSchedule: readonly number[];
  readonly userAgent: string;
}

/** The core context plus the delivery engine: what `delivery/` and `webhooks/` code receives. */
export interface DeliveryContext extends AppContext {
  /** The delivery worker's hot path (claims, successes) in fixed SQL for the dialect. */
  readonly deliveryStore: DeliveryStore;
  readonly webhooks: WebhookSettings;
  /** A number in [0, 1): retry jitter. */
  readonly random: () => number;
  /** Whether writes succeed: while the disk is full they are refused up front (storage-health.ts). */
  readonly storage: StorageHealth;
}
