import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { createStorageHealth } from '../db/storage-health.js';
import { onDeliveriesDue } from '../db/deliveries-due.js';
import { createWakeups } from '../db/wakeups.js';
import { generateCouponCode, generateMemberId } from '../customers/member-id.js';
import { systemResolver } from '../delivery/address-guard.js';
import type { DeliveryStore } from '../delivery/store/delivery-store.js';
import { createPostgresDeliveryStore } from '../delivery/store/postgres-delivery-store.js';
import { createSqliteDeliveryStore } from '../delivery/store/sqlite-delivery-store.js';
import { DeliveryWorker, defaultWorkerOptions, type WorkerOptions } from '../delivery/delivery-worker.js';
import { createWebhookSender } from '../delivery/webhook-sender.js';
import { systemClock } from '../shared/clock.js';
import type { DeliveryContext, WebhookSettings } from '../delivery/delivery-context.js';
import { VERSION } from '../version.js';
import { createSecretBox, loadMasterKey } from '../shared/secret-box.js';
import { createListCursors } from '../shared/cursor.js';

export interface Runtime {
  readonly config: Config;
  readonly database: Database;
  readonly ctx: DeliveryContext;
  /** Starts the delivery worker in this process; new events wake it at once. */
  startWorker(log: FastifyBaseLogger, options?: Partial<WorkerOptions>): DeliveryWorker;
  readonly worker: DeliveryWorker | null;
  /** Stops the worker (if any) gracefully, then closes the sender and the database. */
  close(): Promise<void>;
}

export interface RuntimeOverrides extends Partial<Omit<DeliveryContext, 'webhooks'>> {
  webhooks?: Partial<WebhookSettings>;
}

/** The delivery store's adapter for the database: the worker's hot path in fixed SQL of its dialect. */
function createDeliveryStore(database: Database): DeliveryStore {
  return database.sqlite
    ? createSqliteDeliveryStore(database.sqlite)
    : createPostgresDeliveryStore(database.db);
}

/** Opens the configured database, applies pending migrations and wires the feature context. */
export async function startRuntime(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const database = openDatabase(config);
  await migrateToLatest(database.db as never, database.dialect);
  const { webhooks: webhookOverrides, ...ctxOverrides } = overrides;
  const resolve = webhookOverrides?.resolve ?? systemResolver;
  const masterKey = loadMasterKey(config.masterKey, config.dataDir);
  const webhooks: WebhookSettings = {
    secretBox: createSecretBox(masterKey),
    sender: createWebhookSender({
      allowPrivateNetwork: config.allowPrivateNetwork,
      resolve,
      connectTimeoutMs: config.deliveryTimeoutMs,
    }),
    allowPrivateNetwork: config.allowPrivateNetwork,
    resolve,
    timeoutMs: config.deliveryTimeoutMs,
    retrySchedule: config.retrySchedule,
    disableAfterMs: config.endpointDisableAfterMs,
    userAgent: `Zupy-Webhook/${VERSION}`,
    ...webhookOverrides,
  };
  let worker: DeliveryWorker | null = null;
  let workerLog = null as FastifyBaseLogger | null;
  const wakeups = createWakeups(database, (error) =>
    workerLog?.warn({ err: error }, 'delivery wake-up channel'),
  );
  onDeliveriesDue(database.db, () => wakeups.notify());
  const ctx: DeliveryContext = {
    db: database.db,
    clock: systemClock,
    newMemberId: () => generateMemberId(),
    newCouponCode: () => generateCouponCode(),
    syncToDisk: () => database.syncToDisk(),
    deliveryStore: createDeliveryStore(database),
    cursors: createListCursors(masterKey),
    random: Math.random,
    storage: createStorageHealth(() => database.probeWrite()),
    ...ctxOverrides,
    webhooks,
  };
  return {
    config,
    database,
    ctx,
    get worker() {
      return worker;
    },
    startWorker(log, options = {}) {
      if (!worker) {
        const started = new DeliveryWorker(
          ctx,
          { ...defaultWorkerOptions(config.deliveryTimeoutMs), retentionMs: config.retentionMs, ...options },
          log,
        );
        worker = started;
        workerLog = log;
        wakeups.listen(() => started.wake());
        started.start();
      }
      return worker;
    },
    async close() {
      await worker?.stop(config.deliveryTimeoutMs);
      await wakeups.close();
      await webhooks.sender.close();
      await database.close();
    },
  };
}
