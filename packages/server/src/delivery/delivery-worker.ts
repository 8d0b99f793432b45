import { setMaxListeners } from 'node:events';
import { WakeableSleep } from '../shared/wakeable-sleep.js';
import type { FastifyBaseLogger } from 'fastify';
import type { DeliveryRow, EndpointRow } from '../db/tables.js';
import type { DeliveryContext } from './delivery-context.js';
import { sendAttempt } from './attempt-delivery.js';
import { AttemptBatcher } from './attempt-batcher.js';
import type { ClaimedDelivery } from './store/delivery-store.js';
import { pruneDeliveryLog } from './prune-delivery-log.js';
import { endpointSecrets } from './endpoint-secrets.js';
import { releaseOrphanedWaits } from './delivery-order.js';
import { probeDueEndpoints } from './endpoint-probes.js';
import { EndpointSlots } from './endpoint-slots.js';
import { EndpointFlow } from './endpoint-flow.js';
import { endResumeTurn, pauseState, writeConcurrencyLimits } from './endpoint-pause.js';
import { rateRoom, slotMissed } from './rate-slots.js';
import { storageFailureOf } from '../db/database-failure.js';

export interface WorkerOptions {
  /** Requests in flight across all endpoints: against slow receivers, concurrency is the limit, not CPU. */
  maxInFlight: number;
  /**
   * At most this many requests in flight per endpoint, so one slow or dead endpoint cannot take every
   * slot; within it, each endpoint's limit adapts (concurrency-limit.ts), never below `perEndpointMin`.
   */
  perEndpointCap: number;
  perEndpointMin: number;
  /** How often to look for due work when nothing wakes the worker (retries, other processes' events). */
  pollMs: number;
  /** How long a claim holds a delivery; past it, a dead worker's deliveries are claimed again. */
  leaseMs: number;
  batchSize: number;
  /** Prune the delivery log of what is older than this (ms); how often: `pruneEveryMs`. */
  retentionMs: number;
  pruneEveryMs: number;
}

/** What became of a delivery after an attempt this worker recorded (for metrics). */
export type RecordedResult = 'succeeded' | 'retrying' | 'failed';

/** Told of every attempt this worker records: `/metrics` histograms (app/metrics.ts). */
export interface AttemptObserver {
  /**
   * @param durationMs the request's own time
   * @param lagMs from the delivery's creation (its event committed) to this attempt's end
   */
  attemptRecorded(result: RecordedResult, durationMs: number, lagMs: number): void;
}

/** How often the worker looks for disabled endpoints due for a probe. */
const PROBE_LOOK_MS = 1_000;
/** How often the worker writes its endpoints' changed in-flight limits for the API (`concurrency_limit`). */
const REPORT_LIMITS_MS = 1_000;

export function defaultWorkerOptions(timeoutMs: number): WorkerOptions {
  return {
    // ZUPY_MAX_IN_FLIGHT (config.ts) sets it for `zupy serve` and `zupy worker`.
    maxInFlight: 2000,
    perEndpointCap: 64,
    perEndpointMin: 1,
    pollMs: 250,
    leaseMs: timeoutMs + 5_000,
    batchSize: 64,
    retentionMs: 30 * 86_400_000,
    pruneEveryMs: 3_600_000,
  };
}

/**
 * The delivery engine: claims due deliveries under a lease and sends them concurrently, within a
 * global and a per-endpoint cap. New events wake it at once; polling is only the fallback.
 */
export class DeliveryWorker {
  /** Every delivery this worker holds, by id, until it lets go of it (the shutdown waits for these). */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Request slots and held deliveries per endpoint. */
  private readonly slots = new EndpointSlots();
  /** Adaptive in-flight limits and pauses per endpoint. */
  readonly flow: EndpointFlow;
  private nextLimitReport = 0;
  private readonly shutdown = new AbortController();
  private stopping = false;
  /** The last claim found nothing. */
  private idle = true;
  /** Whether this process may send (SQLite: it holds the delivery lock); logged when it changes. */
  private working: boolean | null = null;
  /** Timers that let go of deliveries whose outcome could not be recorded. */
  private readonly cooling = new Set<NodeJS.Timeout>();
  private readonly pause = new WakeableSleep();
  /** A round of probes under way, and when to look for due probes next (ms since the epoch). */
  private probing: Promise<void> | null = null;
  private nextProbeLook = 0;
  private loop: Promise<void> | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private readonly batcher: AttemptBatcher;

  constructor(
    private readonly ctx: DeliveryContext,
    private readonly options: WorkerOptions,
    private readonly log: FastifyBaseLogger,
    private readonly observer?: AttemptObserver,
  ) {
    this.batcher = new AttemptBatcher(ctx);
    this.flow = new EndpointFlow({ min: options.perEndpointMin, max: options.perEndpointCap });
    // Every request in flight listens to the one shutdown signal.
    setMaxListeners(options.maxInFlight + 16, this.shutdown.signal);
  }

  start(): void {
    this.loop ??= this.run();
    this.pruneTimer ??= setInterval(() => void this.prune(), this.options.pruneEveryMs).unref();
    void this.repairOrder();
  }

  /** Releases deliveries left waiting for one that ended (delivery-order.ts); idempotent. */
  private async repairOrder(): Promise<void> {
    try {
      const released = await releaseOrphanedWaits(this.ctx.db, this.ctx.clock());
      if (released > 0) this.log.info({ released }, 'released deliveries waiting for ended ones');
    } catch (error) {
      this.log.error({ err: error }, 'releasing waiting deliveries failed');
    }
  }

  /** Deletes what the retention period says is old; any worker may do it, the work is idempotent. */
  async prune(): Promise<void> {
    try {
      const cutoff = new Date(this.ctx.clock().getTime() - this.options.retentionMs);
      const pruned = await pruneDeliveryLog(this.ctx.db, cutoff);
      if (pruned.deliveries + pruned.events > 0) this.log.info({ pruned }, 'pruned the delivery log');
    } catch (error) {
      if (!this.storageFailed(error)) this.log.error({ err: error }, 'pruning the delivery log failed');
    }
    await this.repairOrder();
  }

  /** Look for work now (called after a transaction that recorded events commits). */
  wake(): void {
    this.pause.wake();
  }

  /** Webhook requests under way (not counting outcomes still being recorded). */
  get inFlightCount(): number {
    return this.slots.sending;
  }

  /**
   * Stops claiming, lets in-flight requests finish for up to `graceMs`, then aborts the rest and
   * releases their leases so another worker can send them at once.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.wake();
    await this.loop;
    await this.probing;
    const pending = [...this.inFlight.values()];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.all(pending).then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.shutdown.abort();
      await Promise.all(pending);
    }
    for (const timer of this.cooling) clearTimeout(timer);
    try {
      await this.ctx.deliveryStore.stopWorking();
    } catch (error) {
      this.log.warn({ err: error }, 'could not hand the delivery lock over; it expires by itself');
    }
  }

  /** Probes disabled endpoints whose probe is due (endpoint-probes.ts), one round at a time. */
  private probeIfDue(): void {
    const now = Date.now();
    if (this.probing !== null || now < this.nextProbeLook) return;
    this.nextProbeLook = now + PROBE_LOOK_MS;
    // Only the process that sends (its last claim held the delivery lock), and only while writes work.
    if (this.working !== true) return;
    this.probing = (async () => {
      try {
        if (!(await this.ctx.storage.writable(this.log))) return;
        for (const report of await probeDueEndpoints(this.ctx, this.log)) {
          this.log[report.enabled ? 'info' : 'warn'](
            { endpoint: report.endpointId, status: report.status, error: report.error },
            report.enabled
              ? 'webhook endpoint answered a probe: enabled again'
              : 'webhook endpoint failed its probe',
          );
        }
      } catch (error) {
        if (!this.storageFailed(error)) this.log.error({ err: error }, 'probing disabled endpoints failed');
      } finally {
        this.probing = null;
      }
    })();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.probeIfDue();
      await this.reportLimitsIfDue();
      let claimed = 0;
      try {
        claimed = await this.claimAndDispatch();
      } catch (error) {
        if (!this.storageFailed(error))
          this.log.error({ err: error }, 'claiming deliveries failed; retrying shortly');
      }
      if (claimed === 0 || this.slots.sending >= this.options.maxInFlight)
        await this.sleep(this.options.pollMs);
    }
  }

  /** Writes the endpoints' changed in-flight limits, at most once a second (a write per changed one). */
  private async reportLimitsIfDue(): Promise<void> {
    const now = Date.now();
    if (now < this.nextLimitReport || this.working !== true) return;
    this.nextLimitReport = now + REPORT_LIMITS_MS;
    try {
      await writeConcurrencyLimits(this.ctx.db, this.flow.changedLimits());
    } catch (error) {
      if (!this.storageFailed(error)) this.log.warn({ err: error }, 'could not write the in-flight limits');
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.pause.sleep(ms, this.stopping);
  }

  /**
   * A failure of the storage (disk full, I/O) is told to the storage health, which logs it once per
   * interval, instead of a stack per attempt; true if it was one.
   */
  private storageFailed(error: unknown): boolean {
    const kind = storageFailureOf(error);
    if (kind !== null) this.ctx.storage.recordFailure(kind, error, this.log);
    return kind !== null;
  }

  private async claimAndDispatch(): Promise<number> {
    const room = Math.min(this.options.batchSize, this.options.maxInFlight - this.slots.sending);
    if (room <= 0) return 0;
    // While writes fail, nothing is claimed: a delivery sent now could not be recorded, and would
    // be sent again once writes succeed. The check probes once a second at most; meanwhile the
    // loop sleeps its poll interval.
    if (!(await this.ctx.storage.writable(this.log))) return 0;
    const now = this.ctx.clock();
    const store = this.ctx.deliveryStore;
    const mayWork = await store.mayWork();
    if (mayWork !== this.working) {
      this.working = mayWork;
      this.log.info(
        mayWork
          ? 'sending webhooks'
          : 'another process sends the webhooks of this SQLite database; standing by to take over',
      );
    }
    if (!mayWork) return 0;
    // After an empty claim, look before claiming again: an idle claim costs a statement per endpoint.
    if (this.idle && !(await store.hasDue(now))) return 0;
    const nowMs = now.getTime();
    const nowText = now.toISOString();
    const claimed = await store.claim({
      now,
      limit: room,
      leaseUntil: new Date(nowMs + this.options.leaseMs),
      clock: () => this.ctx.clock().getTime(),
      roomFor: (endpoint) => this.roomFor(endpoint, nowMs, nowText),
      held: (endpointId) => this.slots.held(endpointId),
      companyLoad: (companyId) => this.slots.sendingFor(companyId),
    });
    this.idle = claimed.length === 0;
    if (claimed.length === 0) return 0;
    // Nothing is sent for a change that is not on disk yet (the API has not acknowledged it either).
    await this.ctx.syncToDisk();
    // Each endpoint's secrets are decrypted once per claim, not once per delivery.
    const secrets = new Map<EndpointRow, readonly string[]>();
    for (const item of claimed) {
      let endpointSecretList = secrets.get(item.endpoint);
      if (endpointSecretList === undefined) {
        endpointSecretList = endpointSecrets(this.ctx, item.endpoint, now);
        secrets.set(item.endpoint, endpointSecretList);
      }
      this.dispatch(item, endpointSecretList);
    }
    return claimed.length;
  }

  /**
   * How many more deliveries of the endpoint this worker may take now: its adaptive in-flight limit
   * less what it holds in flight (or waiting for a rate slot), within the rate limit's room; none
   * while paused, and none for the single delivery after a pause while anything is still in flight.
   */
  private roomFor(endpoint: EndpointRow, nowMs: number, nowText: string): number {
    const id = endpoint.id;
    if (this.flow.paused(id, nowMs)) return 0;
    const busy = this.slots.sendingTo(id);
    if (busy > 0 && pauseState(endpoint, nowText) === 'resume') return 0;
    const room = this.flow.limitOf(id) - busy;
    if (endpoint.rate_limit === null) return room;
    return Math.min(room, rateRoom(endpoint.rate_limit, endpoint.rate_slot_ms, nowMs));
  }

  private dispatch(
    { delivery: row, body, sequence, endpoint, sendAt, resumeTurn }: ClaimedDelivery,
    secrets: readonly string[],
  ): void {
    this.slots.take(row.endpoint_id, endpoint.company_id, row.seq);
    const done = (async () => {
      let sent = false;
      let recorded = false;
      let givenBack = false;
      try {
        // Rate-limited: the delivery waits in the worker for its slot (rate-slots.ts).
        if (sendAt !== null && endpoint.rate_limit !== null) {
          const rate = endpoint.rate_limit;
          for (let wait; (wait = this.flow.rateWait(row.endpoint_id, sendAt, rate, Date.now())) > 0;)
            await new Promise((resolve) => setTimeout(resolve, wait));
          // This process stalled past its slot: sending now would crowd the slots other workers hold.
          // It is given back unsent, and the next claim reserves it a fresh slot.
          if (slotMissed(sendAt, rate, Date.now())) {
            givenBack = true;
            await this.ctx.deliveryStore.release([row.id]);
            this.wake();
            return;
          }
        }
        const ticket = this.flow.started(row.endpoint_id);
        const outcome = await sendAttempt(
          this.ctx,
          row,
          { body, sequence },
          endpoint,
          this.shutdown.signal,
          secrets,
        );
        // The request is over: its slot is free while the outcome is recorded. The delivery stays
        // leased until then, so no claim can take it again meanwhile.
        sent = true;
        this.flow.finished(row.endpoint_id, ticket, outcome.response, this.ctx.clock());
        this.freeSlot(row.endpoint_id);
        if (this.shutdown.signal.aborted) {
          // Abandoned by a shutdown: give the delivery back instead of recording a failure.
          await this.ctx.deliveryStore.release([row.id]);
          return;
        }
        const result = await this.batcher.record(outcome);
        recorded = true;
        // The single delivery after a pause is recorded: the pause is over (unless it paused again).
        if (resumeTurn !== null) {
          await endResumeTurn(this.ctx.db, row.endpoint_id, resumeTurn);
          this.wake();
        }
        // Its end may have released the member's next delivery (delivery-order.ts), due now: claim
        // again at once if the last claim found nothing, instead of sleeping a poll interval.
        if (row.member_id !== null && result.status !== 'pending' && this.idle) this.wake();
        this.observer?.attemptRecorded(
          result.status === 'pending' ? 'retrying' : result.status,
          outcome.response.durationMs,
          this.ctx.clock().getTime() - Date.parse(row.created_at),
        );
        if (result.endpointDisabled) {
          this.log.warn(
            { endpoint: row.endpoint_id, reason: result.endpointDisabled },
            'webhook endpoint disabled',
          );
        }
      } catch (error) {
        // The lease will expire and the delivery will be sent again: at least once, never lost.
        if (!this.storageFailed(error))
          this.log.error({ err: error, delivery: row.id }, 'delivery attempt could not be recorded');
      } finally {
        if (!sent) this.freeSlot(row.endpoint_id);
        // A delivery whose outcome could not be written is held for a lease's time before it is sent
        // again, not at once (the database may be failing; on PostgreSQL the lease does the same).
        if (recorded || givenBack || this.shutdown.signal.aborted) this.letGo(row);
        else {
          const timer = setTimeout(() => {
            this.cooling.delete(timer);
            this.letGo(row);
          }, this.options.leaseMs).unref();
          this.cooling.add(timer);
        }
      }
    })();
    this.inFlight.set(row.id, done);
  }

  /** The delivery is no longer this worker's: recorded, given back, or cooled down. */
  private letGo(delivery: DeliveryRow): void {
    this.inFlight.delete(delivery.id);
    this.slots.letGo(delivery.endpoint_id, delivery.seq);
  }

  private freeSlot(endpointId: string): void {
    const left = this.slots.free(endpointId);
    // Claim again once a quarter of the endpoint's slots are free (or it is idle), not after every
    // single completion: a claim costs a statement per endpoint. Not later either: the remaining
    // three quarters keep the endpoint busy while the claim makes its round trip (PostgreSQL drained
    // a third faster than when claiming at half).
    const limit = this.flow.limitOf(endpointId);
    const step = Math.max(1, Math.floor(limit / 4));
    const globalStep = Math.max(1, Math.floor(this.options.maxInFlight / 8));
    if (left === 0 || left === limit - step || this.options.maxInFlight - this.slots.sending === globalStep) {
      this.wake();
    }
  }
}
