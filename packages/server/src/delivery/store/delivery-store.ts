import type { DeliveryRow, EndpointRow } from '../../db/tables.js';
import type { WebhookResponse } from '../webhook-sender.js';
import { pauseState } from '../endpoint-pause.js';
import { slotTimes } from '../rate-slots.js';

/** One attempt as sent, to be recorded. */
export interface AttemptOutcome {
  delivery: Pick<
    DeliveryRow,
    | 'id'
    | 'endpoint_id'
    | 'attempts_count'
    | 'schedule_offset'
    | 'is_test'
    | 'event_id'
    | 'event_type'
    | 'kind'
    | 'created_at'
  >;
  attempt: number;
  startedAt: Date;
  requestHeaders: Record<string, string>;
  response: WebhookResponse;
}

export interface ClaimOptions {
  now: Date;
  /** At most this many deliveries in all. */
  limit: number;
  leaseUntil: Date;
  /** The time now (ms since the epoch), read again as the claim goes: rate slots start from it. */
  clock: () => number;
  /**
   * Room left per endpoint under its in-flight limit and its rate limit (the row as read at the
   * start of the claim); endpoints without room are not queried.
   */
  roomFor: (endpoint: EndpointRow) => number;
  /** The `seq` of each of the endpoint's deliveries this worker holds (sending, or recording the outcome). */
  held: (endpointId: string) => ReadonlySet<number>;
  /** Requests this worker has under way to the company's endpoints: the least busy company goes first. */
  companyLoad: (companyId: string) => number;
}

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery {
  delivery: DeliveryRow;
  body: string;
  /** The event's number among its member's events (`X-Zupy-Sequence`), if it is about a member. */
  sequence: number | null;
  endpoint: EndpointRow;
  /** Under the endpoint's rate limit: not before this (ms since the epoch); `null`: at once. */
  sendAt: number | null;
  /** The single delivery after a pause: its turn (`resuming_until`), to end once it is recorded. */
  resumeTurn: string | null;
}

/**
 * The delivery worker's hot path: claiming due deliveries and recording successful attempts, with
 * fixed SQL texts prepared once per dialect (no query building per call, no statement text that
 * varies with the batch size). Everything else about deliveries goes through Kysely.
 *
 * Neither waits for the disk: a lease or a success record lost to a power loss only means the
 * delivery is sent again (docs/guarantees.md), never that it is lost.
 */
export interface DeliveryStore {
  /**
   * Whether this worker may send now. On PostgreSQL always: workers share the queue through leases.
   * On SQLite, only the one process holding the delivery lock; others stand by and take over when it
   * stops, dies, or stalls past the lock's expiry.
   */
  mayWork(): Promise<boolean>;
  /** Gives up what `mayWork()` took (graceful stop), so another process may take over at once. */
  stopWorking(): Promise<void>;
  /** Whether anything is due at all: a cheap look before claiming when the worker was idle. */
  hasDue(now: Date): Promise<boolean>;
  /**
   * Takes due deliveries, endpoint by endpoint through the partial (endpoint_id, next_attempt_at)
   * index of pending deliveries, so a dead endpoint's backlog is never scanned, never one this worker holds already. On
   * PostgreSQL each is leased (one statement per endpoint, SKIP LOCKED), so two workers never hold
   * one delivery, whatever their timing; on SQLite the delivery lock makes leases unnecessary.
   */
  claim(options: ClaimOptions): Promise<ClaimedDelivery[]>;
  /**
   * Gives claimed deliveries back unsent (a shutdown abandoned them), so another worker need not wait
   * for their leases. Nothing to do on SQLite: nothing is leased, the next lock holder sends them.
   */
  release(deliveryIds: readonly string[]): Promise<void>;
  /**
   * Records attempts that got a 2xx: one attempt row each, the deliveries succeeded, the endpoints'
   * failure streaks over, and the member's next delivery waiting for each one due (delivery-order.ts).
   */
  recordSuccesses(outcomes: readonly AttemptOutcome[], now: Date): Promise<void>;
}

/** Claims so far in this process: each starts the rotation of `claimOrder` one further. */
let claimRound = 0;

/**
 * The claim loop both adapters run: the enabled endpoints with due work and room, in `claimOrder`,
 * each asked for at most its room and what is left of the limit.
 * A paused endpoint (endpoint-pause.ts) is skipped; one whose pause is over is asked for a single
 * delivery, and only if the adapter wins its turn (`resume`). `claimed` is the adapter's result so
 * far (its length is read as the loop goes).
 */
export function* endpointsToClaim(
  enabled: readonly EndpointRow[],
  options: ClaimOptions,
  claimed: readonly ClaimedDelivery[],
): Generator<{ endpoint: EndpointRow; limit: number; resume: boolean }> {
  const now = options.now.toISOString();
  for (const endpoint of claimOrder(
    enabled.filter((e) => options.roomFor(e) > 0),
    claimRound++,
    options.companyLoad,
  )) {
    const pause = pauseState(endpoint, now);
    if (pause === 'paused') continue;
    const room = pause === 'resume' ? 1 : options.roomFor(endpoint);
    const limit = Math.min(room, options.limit - claimed.length);
    if (limit <= 0) return;
    yield { endpoint, limit, resume: pause === 'resume' };
  }
}

/**
 * The claimed deliveries of one endpoint as the worker takes them: with their send slots when the
 * endpoint is rate-limited (`slotEndMs`: its next free slot after the reservation), and the pause's
 * turn when this is the single delivery after one.
 */
export function claimedOf(
  endpoint: EndpointRow,
  rows: readonly { delivery: DeliveryRow; body: string; sequence: number | null }[],
  slotEndMs: number | null,
  resumeTurn: string | null,
): ClaimedDelivery[] {
  const slots =
    slotEndMs !== null && endpoint.rate_limit !== null
      ? slotTimes(slotEndMs, rows.length, endpoint.rate_limit)
      : null;
  return rows.map((row, i) => ({ ...row, endpoint, sendAt: slots?.[i] ?? null, resumeTurn }));
}

/**
 * The order of one claim, fair across companies and across each company's endpoints: the companies
 * with the fewest requests under way first (ties in an order that rotates each claim), then one
 * endpoint of each company in turn, so a company with ten endpoints does not get ten turns for
 * another's one, each company's endpoints starting one further each claim, so none is always served
 * last. While the worker is full, a company with nothing under way is claimed for at the first slot
 * that frees, however large another company's backlog.
 */
export function claimOrder<T extends { company_id: string }>(
  endpoints: readonly T[],
  round: number,
  companyLoad: (companyId: string) => number,
): T[] {
  const byCompany = new Map<string, T[]>();
  for (const endpoint of endpoints) {
    const list = byCompany.get(endpoint.company_id);
    if (list) list.push(endpoint);
    else byCompany.set(endpoint.company_id, [endpoint]);
  }
  const companies = rotated([...byCompany], round)
    .map(([company, list]) => ({ load: companyLoad(company), list: rotated(list, round) }))
    .sort((a, b) => a.load - b.load);
  const order: T[] = [];
  for (let turn = 0; order.length < endpoints.length; turn++)
    for (const { list } of companies) if (turn < list.length) order.push(list[turn]!);
  return order;
}

function rotated<T>(list: readonly T[], round: number): T[] {
  if (list.length < 2) return [...list];
  const offset = round % list.length;
  return [...list.slice(offset), ...list.slice(0, offset)];
}

export function attemptRow(outcome: AttemptOutcome) {
  return {
    delivery_id: outcome.delivery.id,
    attempt: outcome.attempt,
    started_at: outcome.startedAt.toISOString(),
    duration_ms: outcome.response.durationMs,
    request_headers: JSON.stringify(outcome.requestHeaders),
    response_status: outcome.response.status,
    response_body: outcome.response.body,
    error: outcome.response.error,
    error_code: outcome.response.errorCode,
    error_params: outcome.response.errorParams === null ? null : JSON.stringify(outcome.response.errorParams),
  };
}

/** The endpoints whose failure streak a success ends (test sends never count). */
export function recoveredEndpoints(outcomes: readonly AttemptOutcome[]): string[] {
  return [...new Set(outcomes.filter((o) => o.delivery.is_test === 0).map((o) => o.delivery.endpoint_id))];
}
