import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { chainLeftPending } from '../audit/append-audit.js';
import { createStorageHealth } from '../db/storage-health.js';
import { onDeliveriesDue } from '../db/deliveries-due.js';
import { createWakeups } from '../db/wakeups.js';
import { generateCouponCode, generateMemberId } from '../customers/member-id.js';
import { systemResolver } from '../delivery/address-guard.js';
import type { DeliveryStore } from '../delivery/store/delivery-store.js';
import { createPostgresDeliveryStore } from '../delivery/store/postgres-delivery-store.js';
import { createSqliteDeliveryStore } from '../delivery/store/sqlite-delivery-store.js';
import { ZupyMetrics } from './metrics.js';
import { queueSource } from './metrics-routes.js';
import { DeliveryWorker, defaultWorkerOptions, type WorkerOptions } from '../delivery/delivery-worker.js';
import { createWebhookSender } from '../delivery/webhook-sender.js';
import { systemClock } from '../shared/clock.js';
import type { DeliveryContext, WebhookSettings } from '../delivery/delivery-context.js';
import { VERSION } from '../version.js';
import { createSecretBox, loadMasterKey } from '../shared/secret-box.js';
import { createListCursors } from '../shared/cursor.js';
import {
  OwnerNoticeSender,
  defaultNoticeSenderOptions,
  type NoticeSenderOptions,
} from '../notifications/notice-sender.js';
import { createSmtpMailer } from '../notifications/smtp-mailer.js';
import {
  DEFAULT_INBOX_OPTIONS,
  InboxProcessor,
  type InboxProcessorOptions,
} from '../orders/inbox-processor.js';

export interface Runtime {
  readonly config: Config;
  readonly database: Database;
  readonly ctx: DeliveryContext;
  /** Starts the delivery worker in this process; new events wake it at once. */
  startWorker(log: FastifyBaseLogger, options?: Partial<WorkerOptions>): DeliveryWorker;
  readonly worker: DeliveryWorker | null;
  /** This process's Prometheus registry (`/metrics`). */
  readonly metrics: ZupyMetrics;
  /** The owner e-mail sender, started with the worker (it sends only with SMTP configured). */
  readonly noticeSender: OwnerNoticeSender | null;
  /** The partner inbox processor (orders/inbox-processor.ts), started with the worker. */
  readonly inboxProcessor: InboxProcessor | null;
  /** Stops the worker and the e-mail sender (if any) gracefully, then closes the senders and the database. */
  close(): Promise<void>;
}

export interface RuntimeOverrides extends Partial<Omit<DeliveryContext, 'webhooks'>> {
  webhooks?: Partial<WebhookSettings>;
  /** Timing of the owner e-mail sender (notifications/notice-sender.ts). */
  ownerNotices?: Partial<Omit<NoticeSenderOptions, 'mailer'>>;
  /** Timing of the partner inbox processor. */
  partnerInbox?: Partial<InboxProcessorOptions>;
}

/** The delivery store's adapter for the database: the worker's hot path in fixed SQL of its dialect. */
function createDeliveryStore(database: Database, db: Database['db']): DeliveryStore {
  return database.sqlite ? createSqliteDeliveryStore(database.sqlite) : createPostgresDeliveryStore(db);
}

/** How often a process chains the audit entries other, stopped processes left pending. */
const AUDIT_SWEEP_EVERY_MS = 5_000;

/** Opens the configured database, applies pending migrations and wires the feature context. */
export async function startRuntime(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const database = openDatabase(config);
  await migrateToLatest(database.db as never, database.dialect);
  const {
    webhooks: webhookOverrides,
    ownerNotices: noticeOverrides,
    partnerInbox: inboxOverrides,
    ...ctxOverrides
  } = overrides;
  const resolve = webhookOverrides?.resolve ?? systemResolver;
  const masterKey = loadMasterKey(config.masterKey, config.dataDir);
  const webhooks: WebhookSettings = {
    secretBox: createSecretBox(masterKey),
    sender: createWebhookSender({
      allowPrivateNetwork: config.allowPrivateNetwork,
      resolve,
      connectTimeoutMs: config.deliveryTimeoutMs,
      // Endpoints of many companies may share a host (a CRM they all use): each has its own in-flight
      // limit, so the origin's pool is bounded by the worker's, not by one endpoint's.
      connectionsPerOrigin: config.maxInFlight,
      extraCa: config.extraCa,
    }),
    allowPrivateNetwork: config.allowPrivateNetwork,
    resolve,
    timeoutMs: config.deliveryTimeoutMs,
    retrySchedule: config.retrySchedule,
    disableAfterMs: config.endpointDisableAfterMs,
    probeSchedule: config.endpointProbeSchedule,
    userAgent: `Zupy-Webhook/${VERSION}`,
    ...webhookOverrides,
  };
  let worker: DeliveryWorker | null = null;
  let noticeSender: OwnerNoticeSender | null = null;
  let inboxProcessor: InboxProcessor | null = null;
  const mailer = config.smtp ? createSmtpMailer(config.smtp) : null;
  let workerLog = null as FastifyBaseLogger | null;
  const wakeups = createWakeups(database, (error) =>
    workerLog?.warn({ err: error }, 'delivery wake-up channel'),
  );
  onDeliveriesDue(database.db, () => wakeups.notify());
  // Audit entries committed with their change that a stopped process never chained
  // (audit/audit-scope.ts): chained at every start, and every few seconds while this process runs.
  const sweepAudit = () => chainLeftPending(database.db, new Date()).catch(() => 0);
  await sweepAudit();
  const auditSweeps = setInterval(() => void sweepAudit(), AUDIT_SWEEP_EVERY_MS);
  auditSweeps.unref();
  if (database.workerDb !== database.db) onDeliveriesDue(database.workerDb, () => wakeups.notify());
  const ctx: DeliveryContext = {
    db: database.db,
    clock: systemClock,
    newMemberId: () => generateMemberId(),
    newCouponCode: () => generateCouponCode(),
    syncToDisk: () => database.syncToDisk(),
    forgetOverwrittenData: () => database.forgetOverwrittenData(),
    deliveryStore: createDeliveryStore(database, database.db),
    cursors: createListCursors(masterKey),
    random: Math.random,
    storage: createStorageHealth(() => database.probeWrite()),
    ...ctxOverrides,
    webhooks,
  };
  // The worker's own connections (PostgreSQL: a pool apart from the API's), unless a test gave a db.
  const workerCtx: DeliveryContext =
    database.workerDb === database.db || ctxOverrides.db !== undefined
      ? ctx
      : {
          ...ctx,
          db: database.workerDb,
          deliveryStore: ctxOverrides.deliveryStore ?? createDeliveryStore(database, database.workerDb),
        };
  const metrics = new ZupyMetrics(
    database.dialect,
    queueSource(
      ctx.db,
      () => worker?.inFlightCount ?? 0,
      () => worker?.flow.limits() ?? [],
    ),
  );
  return {
    config,
    database,
    ctx,
    metrics,
    get worker() {
      return worker;
    },
    get noticeSender() {
      return noticeSender;
    },
    get inboxProcessor() {
      return inboxProcessor;
    },
    startWorker(log, options = {}) {
      if (!worker) {
        const started = new DeliveryWorker(
          workerCtx,
          {
            ...defaultWorkerOptions(config.deliveryTimeoutMs),
            retentionMs: config.retentionMs,
            perEndpointMin: config.endpointMinInFlight,
            perEndpointCap: config.endpointMaxInFlight,
            maxInFlight: config.maxInFlight,
            ...options,
          },
          log,
          metrics,
        );
        worker = started;
        workerLog = log;
        wakeups.listen(() => started.wake());
        started.start();
        noticeSender = new OwnerNoticeSender(workerCtx.db, ctx.clock, log, {
          ...defaultNoticeSenderOptions(mailer, config.retentionMs),
          ...noticeOverrides,
        });
        noticeSender.start();
        inboxProcessor = new InboxProcessor(workerCtx, log, { ...DEFAULT_INBOX_OPTIONS, ...inboxOverrides });
        inboxProcessor.start();
      }
      return worker;
    },
    async close() {
      clearInterval(auditSweeps);
      await Promise.all([
        worker?.stop(config.deliveryTimeoutMs),
        noticeSender?.stop(config.deliveryTimeoutMs),
        inboxProcessor?.stop(),
      ]);
      mailer?.close();
      await wakeups.close();
      await webhooks.sender.close();
      await database.close();
    },
  };
}
