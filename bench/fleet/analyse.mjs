// The fleet's figures for one system, from the receiver's log and the event load's answers.
import { percentile } from '../lib.mjs';
import { lognormalMean, HEALTHY_MEDIAN_MS } from './fleet-spec.mjs';

const round = (x, digits = 1) => (x == null || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const mean = (xs) => (xs.length ? sum(xs) / xs.length : null);

/** p of `values`, counting `missing` more values as larger than any (never arrived): null if p falls there. */
function percentileWithMissing(values, missing, p) {
  const total = values.length + missing;
  if (total === 0) return null;
  const rank = Math.floor((total - 1) * p);
  if (rank >= values.length) return Infinity;
  return [...values].sort((a, b) => a - b)[rank];
}

/**
 * `endpoints`: the fleet (fleet-receiver's list, with `company`); `report`: the receiver's log;
 * `load`: eventLoad's result; `window`: { warmupMs, seconds, perEndpointCap }.
 */
export function analyse({ endpoints, report, load, companies, warmupMs, seconds, perEndpointCap }) {
  const t0 = load.startedAt;
  const warm = t0 + warmupMs;
  const t1 = t0 + seconds * 1000;
  const windowSeconds = (t1 - warm) / 1000;
  // Events answered per company, in the window and in all.
  const events = [...load.answered.entries()].map(([member, { at, i }]) => ({
    member,
    at,
    company: i % companies,
  }));
  const perCompany = (from, to) => {
    const counts = Array(companies).fill(0);
    for (const e of events) if (e.at >= from && e.at < to) counts[e.company]++;
    return counts;
  };
  const allCounts = perCompany(-Infinity, Infinity);
  const byKind = (kind) => endpoints.filter((e) => e.kind === kind);
  const logOf = (e) => report.endpoints[e.index].log;

  // Healthy endpoints: throughput in the window, the latency bound, lag.
  const healthy = byKind('healthy');
  let delivered = 0;
  let offered = 0;
  let bound = 0;
  let uncapped = 0;
  let duplicates = 0;
  let deliveredAll = 0;
  let offeredAll = 0;
  const answerMs = [];
  const lags = [];
  const lagsAll = [];
  let missingWarm = 0;
  let missingAll = 0;
  for (const e of healthy) {
    const ok = logOf(e).filter((r) => r[2] >= 200 && r[2] < 300);
    const first = new Map();
    for (const r of ok) {
      if (first.has(r[1])) duplicates++;
      else first.set(r[1], r[0]);
    }
    const ms = ok.map((r) => r[3]);
    answerMs.push(...ms);
    // Offered: the load's rate for the endpoint's company (what was sent, whether or not the API kept up).
    const offeredE = load.count / seconds / companies;
    const meanE = mean(ms) ?? lognormalMean(HEALTHY_MEDIAN_MS);
    offered += offeredE;
    bound += Math.min(offeredE, (perEndpointCap * 1000) / meanE);
    uncapped += (perEndpointCap * 1000) / meanE;
    for (const at of first.values()) if (at >= warm && at < t1) delivered++;
    offeredAll += allCounts[e.company];
    for (const ev of events) {
      if (ev.company !== e.company) continue;
      const at = first.get(ev.member);
      if (at === undefined) {
        missingAll++;
        if (ev.at >= warm && ev.at < t1) missingWarm++;
        continue;
      }
      deliveredAll++;
      lagsAll.push(at - ev.at);
      if (ev.at >= warm && ev.at < t1) lags.push(at - ev.at);
    }
  }
  const deliveredPerSecond = delivered / windowSeconds;
  // Over time, by 10 s of the events' answers: events × healthy endpoints, the share delivered by
  // the end, lag p50 / p99 (null: above the delivered share); and healthy 2xx arrivals in those 10 s.
  const buckets = [];
  for (let from = t0; from < t1; from += 10_000) buckets.push({ from, lags: [], missing: 0, arrivals: 0 });
  const bucketOf = (at) => buckets[Math.floor((at - t0) / 10_000)];
  for (const e of healthy) {
    const first = new Map();
    for (const r of logOf(e)) if (r[2] >= 200 && r[2] < 300 && !first.has(r[1])) first.set(r[1], r[0]);
    for (const at of first.values()) {
      const b = bucketOf(at);
      if (b) b.arrivals++;
    }
    for (const ev of events) {
      if (ev.company !== e.company) continue;
      const b = bucketOf(ev.at);
      if (!b) continue;
      const at = first.get(ev.member);
      if (at === undefined) b.missing++;
      else b.lags.push(at - ev.at);
    }
  }
  const timeline = buckets.map((b) => ({
    from_s: Math.round((b.from - t0) / 1000),
    deliveries: b.lags.length + b.missing,
    delivered_share: b.lags.length + b.missing ? round(b.lags.length / (b.lags.length + b.missing), 3) : null,
    lag_p50_ms: round(percentileWithMissing(b.lags, b.missing, 0.5), 0),
    lag_p99_ms: round(percentileWithMissing(b.lags, b.missing, 0.99), 0),
    arrivals_per_second: round(b.arrivals / 10, 1),
  }));

  // Concurrency-limited endpoints: 429s after the warm-up, as a share of their requests.
  const limitedLog = byKind('limited').flatMap(logOf);
  const afterWarm = limitedLog.filter((r) => r[0] >= warm);
  const limitedDelivered = byKind('limited').reduce(
    (n, e) =>
      n +
      new Set(
        logOf(e)
          .filter((r) => r[2] === 200)
          .map((r) => r[1]),
      ).size,
    0,
  );
  const limitedOffered = sum(byKind('limited').map((e) => allCounts[e.company]));
  const flaky = byKind('flaky');
  const flakyLog = flaky.flatMap(logOf);
  const flakyDelivered = flaky.reduce(
    (n, e) =>
      n +
      new Set(
        logOf(e)
          .filter((r) => r[2] === 200)
          .map((r) => r[1]),
      ).size,
    0,
  );
  const hangLog = byKind('hang').flatMap(logOf);

  // TLS: handshakes (full and resumed) per 1,000 deliveries (2xx) to the TLS endpoints that keep
  // connections alive (healthy ones), and over every TLS endpoint.
  const tls = (list, from = -Infinity) => {
    const ok = (r) => r[2] >= 200 && r[2] < 300 && r[0] >= from;
    const deliveries = sum(list.map((e) => logOf(e).filter(ok).length));
    const requests = sum(list.map((e) => logOf(e).filter((r) => r[0] >= from).length));
    const shakes = list.flatMap((e) => report.endpoints[e.index].handshakes.filter((h) => h[0] >= from));
    const resumed = shakes.filter((h) => h[1] === 1).length;
    const full = shakes.length - resumed;
    return {
      endpoints: list.length,
      deliveries,
      requests,
      connections: sum(list.map((e) => report.endpoints[e.index].connections)),
      full_handshakes: full,
      resumed_handshakes: resumed,
      handshakes_per_1000_deliveries: deliveries ? round(((full + resumed) * 1000) / deliveries, 2) : null,
      full_per_1000_deliveries: deliveries ? round((full * 1000) / deliveries, 2) : null,
    };
  };

  return {
    events: {
      offered: load.count,
      answered: load.answered.size,
      errors: load.errors,
      offered_rate: round(load.count / seconds, 1),
      achieved_rate: round(load.achieved, 1),
      deliveries_offered_per_second: round((load.count / seconds) * (endpoints.length / companies), 0),
    },
    healthy: {
      endpoints: healthy.length,
      window_seconds: round(windowSeconds, 1),
      offered_per_second: round(offered, 1),
      delivered_per_second: round(deliveredPerSecond, 1),
      latency_bound_per_second: round(bound, 1),
      latency_bound_uncapped_per_second: round(uncapped, 0),
      share_of_bound: round(deliveredPerSecond / bound, 3),
      answer_mean_ms: round(mean(answerMs), 0),
      answer_p50_ms: percentile(answerMs, 0.5),
      answer_p99_ms: percentile(answerMs, 0.99),
      lag_p50_ms: round(percentileWithMissing(lags, missingWarm, 0.5), 0),
      lag_p99_ms: round(percentileWithMissing(lags, missingWarm, 0.99), 0),
      lag_max_ms: lags.length ? Math.max(...lags) : null,
      lag_samples: lags.length,
      lag_missing: missingWarm,
      lag_p50_all_ms: round(percentileWithMissing(lagsAll, missingAll, 0.5), 0),
      lag_p99_all_ms: round(percentileWithMissing(lagsAll, missingAll, 0.99), 0),
      delivered_share_at_end: offeredAll ? round(deliveredAll / offeredAll, 4) : null,
      duplicates,
      timeline,
    },
    limited: {
      endpoints: byKind('limited').length,
      requests: limitedLog.length,
      answered_429: limitedLog.filter((r) => r[2] === 429).length,
      requests_after_warmup: afterWarm.length,
      answered_429_after_warmup: afterWarm.filter((r) => r[2] === 429).length,
      share_429_after_warmup: afterWarm.length
        ? round(afterWarm.filter((r) => r[2] === 429).length / afterWarm.length, 4)
        : null,
      delivered_share_at_end: limitedOffered ? round(limitedDelivered / limitedOffered, 4) : null,
      peak_in_flight_max: Math.max(0, ...byKind('limited').map((e) => report.endpoints[e.index].peak)),
    },
    flaky: {
      endpoints: flaky.length,
      requests: flakyLog.length,
      answered_500: flakyLog.filter((r) => r[2] === 500).length,
      delivered_share_at_end: round(flakyDelivered / sum(flaky.map((e) => allCounts[e.company])), 4),
    },
    hang: {
      endpoints: byKind('hang').length,
      requests: hangLog.length,
      peak_in_flight_sum: sum(byKind('hang').map((e) => report.endpoints[e.index].peak)),
    },
    tls_healthy: tls(healthy.filter((e) => e.tls)),
    tls_healthy_after_warmup: tls(
      healthy.filter((e) => e.tls),
      warm,
    ),
    tls_all: tls(endpoints.filter((e) => e.tls)),
    receiver_peak_in_flight: report.totalPeak,
  };
}
