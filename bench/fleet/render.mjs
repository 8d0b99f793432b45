// bench/results/fleet.md from the run's JSON: the figures of every system, each against issue 17's
// target, and the method.
import { LAYOUTS } from './zupy.mjs';
import { PEERS } from './peers.mjs';

const NAMES = {
  ...Object.fromEntries(Object.entries(LAYOUTS).map(([k, v]) => [k, v.name])),
  ...Object.fromEntries(Object.entries(PEERS).map(([k, v]) => [k, v.name])),
};
const num = (x) => (x == null ? '—' : Math.round(x).toLocaleString('en-US'));
const pct = (x) => (x == null ? '—' : `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`);
const ms = (x) => (x == null ? '—' : `${num(x)} ms`);
const verdict = (ok) => (ok == null ? '' : ok ? ' ✅' : ' ❌');

function lag(h, p) {
  const v = h[`lag_${p}_ms`];
  if (v != null) return ms(v);
  const share = h.lag_missing / (h.lag_samples + h.lag_missing);
  return `not delivered (${pct(share)} of the window's events never arrived)`;
}

export function render(results) {
  const keys = Object.keys(results.systems);
  const ok = keys.filter((k) => !results.systems[k].error);
  const S = results.systems;
  const z = S.zupy && !S.zupy.error ? S.zupy : null;
  const sizes = results.sizes;
  const maxInFlight = results.zupy_env?.ZUPY_MAX_IN_FLIGHT;
  const row = (label, target, f) => `| ${label} | ${target} | ${ok.map((k) => f(S[k], k)).join(' | ')} |`;
  const healthy = (s) => s.healthy;
  const peers = ['bullmq', 'pg_boss'].filter((k) => ok.includes(k));
  const zupyKeys = ok.filter((k) => k in LAYOUTS);
  const rows = [
    row(
      'events offered / answered by the API, per second',
      '—',
      (s) => `${num(s.events.offered_rate)} / ${num(s.events.achieved_rate)}`,
    ),
    row(
      'healthy endpoints: deliveries/s after the warm-up, against the bound (share)',
      '≥ 80 % of the bound',
      (s) =>
        `${num(healthy(s).delivered_per_second)} of ${num(healthy(s).latency_bound_per_second)} (${pct(healthy(s).share_of_bound)})${verdict(healthy(s).share_of_bound >= 0.8)}`,
    ),
    row(
      'healthy endpoints: lag event → receipt after the warm-up, p50 / p99',
      `p99 ≤ own p99 answer + 250 ms`,
      (s) =>
        `${lag(s.healthy, 'p50')} / ${lag(s.healthy, 'p99')}${verdict(s.healthy.lag_p99_ms != null && s.healthy.lag_p99_ms <= s.healthy.answer_p99_ms + 250)}`,
    ),
    row(
      'healthy endpoints: their own answer time, p50 / p99 / mean',
      '—',
      (s) =>
        `${ms(s.healthy.answer_p50_ms)} / ${ms(s.healthy.answer_p99_ms)} / ${ms(s.healthy.answer_mean_ms)}`,
    ),
    row('healthy endpoints: share of all events delivered by the end (load + grace)', '100 %', (s) =>
      pct(s.healthy.delivered_share_at_end),
    ),
    row(
      `429 share of requests to the ${results.fleet.kinds.limited.endpoints} limited endpoints after the warm-up (requests)`,
      '≤ 1 %',
      (s) =>
        `${pct(s.limited.share_429_after_warmup)} (${num(s.limited.requests_after_warmup)})${verdict(s.limited.share_429_after_warmup != null && s.limited.share_429_after_warmup <= 0.01)}`,
    ),
    row(
      'limited / failing endpoints: share of events delivered by the end',
      '—',
      (s) => `${pct(s.limited.delivered_share_at_end)} / ${pct(s.flaky.delivered_share_at_end)}`,
    ),
    row(
      'TLS handshakes per 1,000 deliveries to healthy TLS endpoints after the warm-up (of them resumed)',
      '≤ 5',
      (s) => {
        const t = s.tls_healthy_after_warmup;
        return `${t.handshakes_per_1000_deliveries ?? '—'} (${num(t.resumed_handshakes)} of ${num(t.full_handshakes + t.resumed_handshakes)})${verdict(t.handshakes_per_1000_deliveries != null && t.handshakes_per_1000_deliveries <= 5)}`;
      },
    ),
    row(
      `the ${results.fleet.kinds.hang.endpoints} hanging endpoints: requests in flight to them at their peaks (sum)`,
      '—',
      (s) => num(s.hang.peak_in_flight_sum),
    ),
    row('TCP connections to the healthy TLS endpoints over the run', '—', (s) =>
      num(s.tls_healthy.connections),
    ),
    row(
      'sending process RSS, peak (VmHWM)',
      '≤ 250 MB with 5,000 in flight',
      (s) =>
        `${num(s.process.rss_hwm_mb)} MB${s.api_process ? ` (API process: ${num(s.api_process.rss_hwm_mb)} MB)` : ''}`,
    ),
    row(
      'requests in flight: worker gauge peak / mean; at the receiver, peak',
      '—',
      (s) =>
        `${s.process.worker_in_flight_peak ?? '—'} / ${s.process.worker_in_flight_mean ?? '—'}; ${num(s.receiver_peak_in_flight)}`,
    ),
    row('CPU of the sending process (share of one core)', '—', (s) => s.process.cpu_share_of_one_core),
    row(
      'load average (1 min) at the start / mean / max during the run',
      '—',
      (s) => `${s.load_average.at_start_1min} / ${s.load_average.mean_1min} / ${s.load_average.max_1min}`,
    ),
    row(
      'Zupy adaptive limits at the end, median (min–max): healthy · limited · failing · hanging',
      '—',
      (s) => {
        const l = s.adaptive_limits_at_end;
        if (!l) return '—';
        const f = (x) => (x ? `${x.median} (${x.min}–${x.max})` : '—');
        return `${f(l.healthy)} · ${f(l.limited)} · ${f(l.flaky)} · ${f(l.hang)}`;
      },
    ),
  ];
  const ratios = peers.length
    ? `\nZupy ÷ peer, healthy deliveries/s after the warm-up (target ≥ 2×):\n\n| Zupy layout | ${peers.map((p) => NAMES[p]).join(' | ')} |\n|---|${peers.map(() => '---').join('|')}|\n${zupyKeys
        .map(
          (k) =>
            `| ${NAMES[k]} | ${peers
              .map((p) => {
                const r = S[k].healthy.delivered_per_second / S[p].healthy.delivered_per_second;
                return `${Number.isFinite(r) ? r.toFixed(2) : '—'}×${verdict(r >= 2)}`;
              })
              .join(' | ')} |`,
        )
        .join('\n')}\n`
    : '';
  const errors = keys.filter((k) => S[k].error);
  const inFlight = results.in_flight ?? {};
  const ifKeys = Object.keys(inFlight);
  const ifRow = (label, f) =>
    `| ${label} | ${ifKeys.map((k) => (inFlight[k].error ? 'error' : f(inFlight[k]))).join(' | ')} |`;
  const sz = results.in_flight_sizes;
  const inFlightSection = ifKeys.length
    ? `
## Worker memory with thousands in flight

The same 200 endpoints, all healthy and slow — each answers 200 after exactly ${num(sz.answerMs)} ms —
half over HTTPS; ${num(sz.events)} registrations recorded before one \`zupy worker\` starts (${num(sz.events * 10)}
deliveries), \`ZUPY_DELIVERY_TIMEOUT=30s\` (so that a late 8 s answer on this loaded machine is not a timeout). Each endpoint's adaptive limit grows from 8 towards 64 (200 × 64 is more than the global
cap${maxInFlight ? ` of ${num(Number(maxInFlight))}` : ''}), so the worker reaches its cap; its in-flight gauge (\`/metrics\`) and RSS sampled every
0.5 s, for at most ${sz.maxSeconds} s. Target (issue 17): RSS ≤ 250 MB with 5,000 in flight.

| figure | ${ifKeys.map((k) => NAMES[k]).join(' | ')} |
|---|${ifKeys.map(() => '---').join('|')}|
${ifRow('in flight, peak (worker gauge / at the receiver)', (r) => `${num(r.in_flight_peak)} / ${num(r.receiver_peak_in_flight)}`)}
${ifRow('seconds at ≥ 90 % of that peak', (r) => r.seconds_at_90pct_of_peak)}
${ifRow('RSS, peak while at ≥ 90 % of the peak / VmHWM', (r) => `${num(r.rss_max_at_90pct_of_peak_mb)} MB / ${num(r.rss_hwm_mb)} MB${verdict(r.in_flight_peak >= 5000 ? r.rss_hwm_mb <= 250 : null)}`)}
${ifRow('deliveries sent of the backlog, in seconds', (r) => `${num(r.delivered)} of ${num(r.deliveries)} in ${r.seconds} s`)}
${ifRow('TLS handshakes (new connections to the HTTPS endpoints)', (r) => num(r.tls_connections))}
${ifRow('CPU of the worker (share of one core)', (r) => r.cpu_share_of_one_core)}
`
    : '';
  const kinds = results.fleet.kinds;
  return `# The fleet: Zupy and its peers against 200 real-looking receivers

${results.date} · commit ${results.commit} · ${results.machine.cpus} cores, shared with other work (load average ${results.machine.load_average_at_start.join(' / ')} at the start, ${results.machine.load_average_at_end.join(' / ')} at the end) · Node ${results.machine.node} · ${Object.entries(
    results.machine.versions,
  )
    .map(([k, v]) => (v.startsWith(k) || v.includes(' ') ? v : `${k} ${v}`))
    .join(
      ' · ',
    )} · Zupy's global in-flight cap: ${maxInFlight ? `ZUPY_MAX_IN_FLIGHT=${maxInFlight}` : '**the default 256** (ZUPY_MAX_IN_FLIGHT is not in this build)'}${results.quick ? ' · **quick run (short): for trying the bench, not for reading**' : ''}

${sizes.endpoints} endpoints in ${sizes.companies} companies of ${sizes.endpoints / sizes.companies}: ${kinds.healthy.endpoints} healthy, ${kinds.limited.endpoints} answering 429 beyond ${results.fleet.limited_in_flight} in flight, ${kinds.flaky.endpoints} failing half the time (500), ${kinds.hang.endpoints} never answering; half of each kind over HTTPS. ${num(sizes.deliveries_per_second)} deliveries/s offered (${num(sizes.deliveries_per_second / (sizes.endpoints / sizes.companies))} events/s, each to the ${sizes.endpoints / sizes.companies} endpoints of its company) for ${sizes.seconds} s, warm-up ${sizes.warmup_seconds} s, then up to ${sizes.grace_seconds} s for the last deliveries. One run, the systems one after the other against the same receiver process.

| figure | target (issue 17) | ${ok.map((k) => NAMES[k]).join(' | ')} |
|---|---|${ok.map(() => '---').join('|')}|
${rows.join('\n')}
${ratios}${inFlightSection}${errors.length ? `\nErrors (a system missing):\n\n${errors.map((k) => `- ${NAMES[k] ?? k}: ${S[k].error.split('\n')[0]}`).join('\n')}\n` : ''}
The healthy endpoints over time (Zupy layouts and peers), by 10 s of the events' answers —
deliveries/s arriving · lag p99 (ms; "—": more than 1 % never arrived):

| from s | ${ok.map((k) => NAMES[k]).join(' | ')} |
|---|${ok.map(() => '---').join('|')}|
${(S[ok[0]]?.healthy.timeline ?? [])
  .map(
    (b, i) =>
      `| ${b.from_s} | ${ok
        .map((k) => {
          const t = S[k].healthy.timeline?.[i];
          return t
            ? `${num(t.arrivals_per_second)} · ${t.lag_p99_ms == null ? '—' : num(t.lag_p99_ms)}`
            : '—';
        })
        .join(' | ')} |`,
  )
  .join('\n')}

## Method

- **The fleet** (\`bench/fleet/fleet-receiver.mjs\`, one process): a node:http or node:https server
  per endpoint, each on its own port of 127.0.0.1 and its own path; the HTTPS ones with a certificate
  for IP 127.0.0.1 from a CA made at each start with openssl (\`certs.mjs\`, P-256), each server with
  its own session-ticket keys (as separate hosts have), keep-alive 120 s. Answer times are
  lognormal (σ = ${results.fleet.answer_times.sigma}: p99 = 15 × median), median
  ${results.fleet.answer_times.healthy_median_ms} ms (p99 1.5 s) — the limited endpoints are slower APIs,
  median ${results.fleet.answer_times.limited_median_ms} ms, so that 4 in flight is a real limit — cut at
  ${num(results.fleet.answer_times.cut_at_ms)} ms (under the 10 s timeout), drawn from a seeded PRNG
  (seed ${sizes.seed}; which endpoint is of which kind is seeded too). A limited endpoint answers 429 at
  once, without \`Retry-After\`, to a request that makes it more than ${results.fleet.limited_in_flight} in flight; a failing one
  answers 500 to half its requests (drawn); a hanging one reads the request and never answers (the
  sender's timeout ends it). The receiver logs every request (arrival, member id, status, answer
  time), every TLS handshake (full or resumed: \`secureConnection\`, \`isSessionReused()\`) and the
  in-flight peaks.
- **Zupy** on SQLite, \`ZUPY_EXTRA_CA_FILE\` = the bench's CA, \`ZUPY_ALLOW_PRIVATE_NETWORK=1\`, its other
  settings default (per-endpoint adaptive limit between 1 and 64, 10 s timeout, retries 0s, 1m, 5m…):
  ${zupyKeys.map((k) => `*${NAMES[k]}*`).join(', ')}. *API + 1 worker process*: \`zupy serve --no-worker\`
  and one \`zupy worker\` (the figures of the sending process are the worker's; its \`/metrics\` is
  sampled each second for the in-flight gauge and, at the end, the adaptive limits). *zupy serve*: the
  default one-process layout. *CA via NODE_EXTRA_CA_CERTS*: the same CA given to Node instead of Zupy.
  The events are registrations of new people (\`POST /api/v2/customers/\`), each writing one delivery
  per endpoint of its company (a company may have at most 10 endpoints, hence 20 companies).
- **Peers**, each in its own process with an event route (\`POST /event\`: a job per endpoint of the
  company, enqueued in bulk, answered once durable) and its worker, sending with the same signing (the
  SDK's Standard Webhooks headers, a secret per endpoint) and undici (one Agent: a keep-alive pool per
  origin, 64 connections at most, a 10 s deadline; the bench's CA in \`NODE_EXTRA_CA_CERTS\`, not in
  undici's \`ca\`, which is parsed again for every new connection): ${peers.map((p) => `**${NAMES[p]}**: ${PEERS[p].settings}`).join('; ')}.
- **Load**: the same for every system: ${num(sizes.deliveries_per_second / (sizes.endpoints / sizes.companies))} events/s, open loop (each sent when due, up to
  256 connections), the companies in turn. An event's time is when the API answered it.
- **Deliveries/s to healthy endpoints**: first arrivals of each (endpoint, event) with a 2xx answer,
  between the end of the warm-up and the end of the load, per second. **The bound** their latency
  allows: for each healthy endpoint *e*, min(offered_e, C ÷ mean_e) — offered_e the events/s sent to
  its company, C = ${sizes.per_endpoint_cap} (Zupy's per-endpoint concurrency bound,
  \`ZUPY_ENDPOINT_MAX_IN_FLIGHT\`), mean_e the mean answer time of its 2xx answers in this run (Little's
  law: C in flight at mean_e carry C ÷ mean_e a second) — summed over the healthy endpoints. The
  latency term alone (C ÷ mean_e summed) is about ${num(z?.healthy.latency_bound_uncapped_per_second ?? S[ok[0]]?.healthy.latency_bound_uncapped_per_second)}/s,
  so the bound is the offered rate: a system that keeps up delivers ~100 % of it.
- **Lag**: from the event's answer to the first arrival at the endpoint, over the healthy endpoints
  and the events answered after the warm-up; an event not delivered by the end counts as slower than
  any (so a p99 above the delivered share reads "not delivered"). Target: at most the healthy
  endpoints' own p99 answer time (the same run) + 250 ms.
- **429s**: requests to the limited endpoints arriving after the warm-up, the share answered 429.
- **TLS handshakes** (full + resumed) per 1,000 2xx deliveries to the healthy TLS endpoints (which
  keep connections alive), after the warm-up. Zupy keeps one TLS session per host name for
  resumption (\`tls-sessions.ts\`); every endpoint here is 127.0.0.1 on another port, so a session
  stored for one is offered to the next connection to any other, whose server cannot resume it.
- **RSS**: VmHWM of the sending process (/proc/<pid>/status; VmRSS sampled every 0.5 s too), **CPU**
  its user + system time over the load and the grace. **Load average**: the machine's 1-minute figure
  sampled every 0.5 s.
`;
}
