import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AttemptObserver, RecordedResult } from '../delivery/delivery-worker.js';
import { routePattern } from '../http/access-log.js';
import { VERSION } from '../version.js';

const RESULTS: readonly RecordedResult[] = ['succeeded', 'retrying', 'failed'];

/** Where the queue gauges come from: read at each scrape (the same from every process). */
export interface QueueSource {
  counts(): Promise<Record<'pending' | 'held' | 'failed' | 'discarded', number>>;
  inFlight(): number;
  /** This process's worker's adaptive in-flight limit per endpoint (id, limit). */
  limits(): Iterable<[string, number]>;
}

/**
 * One process's Prometheus registry (prom-client): the delivery queue by state, what this process's
 * worker sent (attempt duration and event-to-delivery lag per result), HTTP request duration by
 * route and status, Node's and the process's defaults (`process_*`, `nodejs_*`), and build info.
 */
export class ZupyMetrics implements AttemptObserver {
  readonly registry = new Registry();
  private readonly attempts: Counter<'result'>;
  private readonly attemptDuration: Histogram<'result'>;
  private readonly deliveryLag: Histogram<'result'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  /**
   * @param database `sqlite` or `postgres`, for `zupy_build_info`
   * @param queue where the queue gauges are read at each scrape
   */
  constructor(database: string, queue: QueueSource) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'zupy_build_info',
      help: 'The Zupy version, the Node.js version and the database this process runs on (always 1).',
      labelNames: ['version', 'node', 'database'],
      registers,
    }).set({ version: VERSION, node: process.versions.node, database }, 1);
    new Gauge({
      name: 'zupy_deliveries',
      help: 'Webhook deliveries in the delivery log waiting to be sent (pending), waiting for their disabled endpoint (held), failed for good (failed), or dropped on re-enabling (discarded).',
      labelNames: ['status'],
      registers,
      async collect() {
        for (const [status, n] of Object.entries(await queue.counts())) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'zupy_worker_in_flight',
      help: 'Webhook requests this process has in flight.',
      registers,
      collect() {
        this.set(queue.inFlight());
      },
    });
    new Gauge({
      name: 'zupy_endpoint_concurrency_limit',
      help: 'The adaptive in-flight limit of this process’s worker per webhook endpoint (between ZUPY_ENDPOINT_MIN_IN_FLIGHT and ZUPY_ENDPOINT_MAX_IN_FLIGHT), for the endpoints it has sent to.',
      labelNames: ['endpoint'],
      registers,
      collect() {
        this.reset();
        for (const [endpoint, limit] of queue.limits()) this.set({ endpoint }, limit);
      },
    });
    this.attempts = new Counter({
      name: 'zupy_delivery_attempts_total',
      help: 'Webhook attempts this process recorded, by what became of the delivery.',
      labelNames: ['result'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'zupy_delivery_attempt_duration_seconds',
      help: 'How long the receiver took to answer a webhook attempt (or to fail), by what became of the delivery.',
      labelNames: ['result'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.deliveryLag = new Histogram({
      name: 'zupy_event_delivery_lag_seconds',
      help: 'From the event being recorded to the end of this attempt of its delivery, by what became of the delivery.',
      labelNames: ['result'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 21_600, 86_400],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'zupy_http_request_duration_seconds',
      help: 'API and panel requests by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    for (const result of RESULTS) {
      this.attempts.inc({ result }, 0);
      this.attemptDuration.zero({ result });
      this.deliveryLag.zero({ result });
    }
  }

  attemptRecorded(result: RecordedResult, durationMs: number, lagMs: number): void {
    this.attempts.inc({ result });
    this.attemptDuration.observe({ result }, durationMs / 1000);
    this.deliveryLag.observe({ result }, Math.max(0, lagMs) / 1000);
  }

  /** Times every request of `app` by its route's pattern (never its URL: no ids or search terms). */
  timeRequests(app: FastifyInstance): void {
    app.addHook('onResponse', (request, reply, done) => {
      this.httpDuration.observe(
        {
          method: request.method,
          route: routePattern(request),
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }
}
