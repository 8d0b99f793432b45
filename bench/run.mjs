// `npm run bench`: every figure is a ratio to a ceiling measured in the same run, because absolute
// numbers on a shared 2-core machine drift. Writes bench/results/latest.{json,md}.
import fs from 'node:fs';
import os from 'node:os';
import { startPostgres, startReceiver, ROOT } from './lib.mjs';
import {
  backlog,
  ceiling,
  drainPostgres,
  drainSqlite,
  endToEnd,
  ingest,
  isolation,
  partnerBatches,
} from './scenarios.mjs';

const quick = process.argv.includes('--quick');
const N = quick ? 3_000 : 10_000;
const results = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, node: process.version },
  quick,
};
const log = (...args) => console.error('[bench]', ...args);

const receiver = await startReceiver();
const recording = await startReceiver(['--record']);
try {
  log('ceiling');
  results.ceiling = await ceiling(receiver, 5);
  const c = results.ceiling.per_second;
  log('drain sqlite');
  results.drain_sqlite = { ...(await drainSqlite(receiver, N)) };
  results.drain_sqlite.ratio_to_ceiling = results.drain_sqlite.per_second / c;
  log('drain sqlite', JSON.stringify(results.drain_sqlite), 'ceiling', Math.round(c));
  // The cost of per-member order: four events per member (a registration and three upgrades), drained
  // with ordering on (each member's in sequence) and off, rounds interleaved.
  log('ordering');
  const orderRounds = { member: [], none: [] };
  for (let round = 0; round < 2; round++) {
    for (const ordering of ['member', 'none']) {
      orderRounds[ordering].push((await drainSqlite(receiver, N, {}, { ordering, perMember: 4 })).per_second);
    }
  }
  const best = (xs) => Math.max(...xs);
  results.ordering_sqlite = {
    member_per_second: best(orderRounds.member),
    none_per_second: best(orderRounds.none),
    ratio: best(orderRounds.member) / best(orderRounds.none),
    rounds: orderRounds,
  };
  log('ordering sqlite', JSON.stringify(results.ordering_sqlite));
  log('drain postgres');
  // PostgreSQL with fsync on (lib.mjs), for its drains, end to end and ingest.
  const pg = await startPostgres();
  try {
    results.drain_postgres = [];
    for (const workers of [1, 2, 4]) {
      const r = await drainPostgres(receiver, pg.url, quick ? 2_000 : 10_000, workers);
      results.drain_postgres.push({
        ...r,
        ratio_to_ceiling: r.per_second / c,
        ratio_to_sqlite: r.per_second / results.drain_sqlite.per_second,
      });
    }
    const pgRounds = { member: [], none: [] };
    for (const ordering of ['member', 'none']) {
      const r = await drainPostgres(receiver, pg.url, quick ? 2_000 : 10_000, 2, { ordering, perMember: 4 });
      pgRounds[ordering].push(r.per_second);
    }
    results.ordering_postgres = {
      member_per_second: pgRounds.member[0],
      none_per_second: pgRounds.none[0],
      ratio: pgRounds.member[0] / pgRounds.none[0],
    };
    log('ordering postgres', JSON.stringify(results.ordering_postgres));
    log('drain postgres', JSON.stringify(results.drain_postgres));
    log('end to end');
    Object.assign(results, await endToEnd(recording, c, { rates: [200, 500, 1000] }));
    log('e2e', JSON.stringify({ e2e: results.end_to_end, latency: results.latency }));
    log('end to end postgres');
    const pgE2e = await endToEnd(recording, c, { pgAdminUrl: pg.url, rates: [200, 500] });
    results.end_to_end_postgres = {
      ...pgE2e.end_to_end,
      ratio_to_sqlite: pgE2e.end_to_end.per_second / results.end_to_end.per_second,
    };
    results.latency_postgres = pgE2e.latency;
    log(
      'e2e postgres',
      JSON.stringify({ e2e: results.end_to_end_postgres, latency: results.latency_postgres }),
    );
    log('ingest');
    // SQLite, PostgreSQL and the bare route take turns in each round.
    results.ingest = await ingest(quick ? 2_000 : 5_000, { pgAdminUrl: pg.url });
    log('ingest', JSON.stringify(results.ingest));
  } finally {
    await pg.stop();
  }
  log('partner batches');
  results.partner_batches = await partnerBatches(quick ? 2_000 : 5_000);
  results.partner_batches.ratio = results.partner_batches.per_second / results.ingest.zupy_per_second;
  log('partner batches', JSON.stringify(results.partner_batches));
  log('isolation');
  results.isolation = await isolation(receiver, quick ? 2000 : 5_000);
  log('isolation', JSON.stringify(results.isolation));
  log('backlog');
  const small = await backlog(receiver, 10_000, quick ? 3 : 4);
  const large = await backlog(receiver, quick ? 200_000 : 1_000_000, quick ? 5 : 15);
  results.backlog = { small, large, drain_ratio: large.per_second / small.per_second };
} finally {
  receiver.stop();
  recording.stop();
}

const pct = (x) => `${(x * 100).toFixed(0)} %`;
const num = (x) => Math.round(x).toLocaleString('en-US');
const r = results;
const md = `# Benchmark results

${r.date} · ${r.machine.cpus} cores · Node ${r.machine.node}${quick ? ' · quick run (smaller sizes)' : ''}

Every figure is measured in this one run and given as a ratio to a ceiling from the same run. The
receiver is a separate process on 127.0.0.1 answering 200 at once; bodies are the ~${r.ceiling.body_bytes}-byte
\`customer.registered\` sample.

Latency rows measure from the moment the load generator has read the API's answer to the webhook's
arrival at a recording receiver (one machine, one clock). A negative value means the webhook arrived
first: the worker sends as soon as the commit is on disk, while the answer is still on its way back
through the API's response path (serialisation, the access log, the load generator's own queue).
It is what an integrator sees — the webhook is there by the time their call returns — not a clock
error.

| figure | value | ratio | target | method |
|---|---|---|---|---|
| Ceiling | ${num(r.ceiling.per_second)} req/s | 100 % | — | raw undici keep-alive POSTs, 64 in flight, 5 s |
| Drain, SQLite | ${num(r.drain_sqlite.per_second)} deliveries/s | ${pct(r.drain_sqlite.ratio_to_ceiling)} of ceiling | ≥ 50 % | ${num(r.drain_sqlite.deliveries)} pending deliveries drained by the in-process worker; rate from the first arrival to the last |
${r.drain_postgres.map((d) => `| Drain, PostgreSQL, ${d.workers} worker${d.workers > 1 ? 's' : ''} | ${num(d.per_second)} deliveries/s | ${pct(d.ratio_to_ceiling)} of ceiling, ${pct(d.ratio_to_sqlite)} of SQLite | ${d.workers === 1 ? '1 worker ≥ SQLite' : '—'} | ${num(d.deliveries)} pending, \`zupy worker\` processes, embedded PostgreSQL with fsync on; rate from the first arrival to the last (process start-up left out) |`).join('\n')}
| End to end | ${num(r.end_to_end.per_second)} events/s | ${pct(r.end_to_end.ratio_to_ceiling)} of ceiling | ≥ 20 % | ${num(r.end_to_end.events)} registrations through the API (32 in flight) until every webhook arrived |
| Latency at 200/s | p50 ${r.latency[200].p50_ms?.toFixed(1)} ms, p99 ${r.latency[200].p99_ms?.toFixed(1)} ms | — | — | API answer → receipt, ${r.latency[200].samples} events over 5 s (achieved ${num(r.latency[200].achieved_rate)}/s) |
| Latency at 500/s | p50 ${r.latency[500].p50_ms?.toFixed(1)} ms, p99 ${r.latency[500].p99_ms?.toFixed(1)} ms | ${pct(r.latency[500].carried)} carried | — | same, ${r.latency[500].samples} events (achieved ${num(r.latency[500].achieved_rate)}/s) |
| Latency at 1,000/s | p50 ${r.latency[1000].p50_ms?.toFixed(1)} ms, p99 ${r.latency[1000].p99_ms?.toFixed(1)} ms | — | p99 ≤ 10 ms | same, ${r.latency[1000].samples} events (achieved ${num(r.latency[1000].achieved_rate)}/s) |
| End to end, PostgreSQL | ${num(r.end_to_end_postgres.per_second)} events/s | ${pct(r.end_to_end_postgres.ratio_to_ceiling)} of ceiling, ${pct(r.end_to_end_postgres.ratio_to_sqlite)} of SQLite | ≥ 70 % of SQLite | the same against \`zupy serve\` on embedded PostgreSQL with fsync on |
${[200, 500].map((rate) => `| Latency at ${rate}/s, PostgreSQL | p50 ${r.latency_postgres[rate].p50_ms?.toFixed(1)} ms, p99 ${r.latency_postgres[rate].p99_ms?.toFixed(1)} ms | ${pct(r.latency_postgres[rate].carried)} carried | ${rate === 500 ? 'all carried, p99 ≤ 25 ms' : '—'} | same, ${r.latency_postgres[rate].samples} events (achieved ${num(r.latency_postgres[rate].achieved_rate)}/s) |`).join('\n')}
| Ingest | ${num(r.ingest.zupy_per_second)} registrations/s | ${pct(r.ingest.ratio)} of bare route (${num(r.ingest.bare_per_second)}/s) | ≥ 40 % | ${num(r.ingest.registrations)} registrations (32 in flight) to \`zupy serve --no-worker\`, then the same client against a bare Fastify route inserting one row in SQLite (synchronous=FULL); ${r.ingest.rounds} rounds each, taking turns; the first of each warms up, the figure is the median of the rest (Zupy ${r.ingest.zupy_rounds.join(' / ')}, bare ${r.ingest.bare_rounds.join(' / ')}) |
| Ingest, PostgreSQL | ${num(r.ingest.zupy_postgres_per_second)} registrations/s | ${pct(r.ingest.postgres_ratio_to_sqlite)} of SQLite's, ${pct(r.ingest.postgres_ratio_to_bare)} of bare | ≥ 70 % of SQLite | the same on embedded PostgreSQL with fsync on, its rounds taking turns with SQLite's and the bare route's (${r.ingest.zupy_postgres_rounds.join(' / ')}) |
| Partner batches | ${num(r.partner_batches.per_second)} orders/s | ${pct(r.partner_batches.ratio)} of registration ingest | — | ${num(r.partner_batches.orders)} Repediu orders of new customers in bodies of 100 (4 in flight) to \`zupy serve\`, until the inbox processor has enrolled and credited every one (answered at ${num(r.partner_batches.answered_per_second)} orders/s) |
| Per-member order, SQLite | ${num(r.ordering_sqlite.member_per_second)} deliveries/s ordered, ${num(r.ordering_sqlite.none_per_second)} unordered | ${pct(r.ordering_sqlite.ratio)} of unordered | ≥ 90 % | ${num(N)} events, 4 per member (a registration, 3 upgrades), \`ordering: member\` vs \`none\`; best of 2 interleaved rounds |
| Per-member order, PostgreSQL | ${num(r.ordering_postgres.member_per_second)} deliveries/s ordered, ${num(r.ordering_postgres.none_per_second)} unordered | ${pct(r.ordering_postgres.ratio)} of unordered | ≥ 90 % | the same with 2 \`zupy worker\` processes; one round each |
| Isolation | ${num(r.isolation.healthy_beside_dead_per_second)} deliveries/s beside a dead endpoint | ${pct(r.isolation.ratio)} of alone (${num(r.isolation.healthy_alone_per_second)}/s) | ≥ 90 % | healthy endpoint's drain with and without an endpoint that never answers |
| Backlog | RSS ${r.backlog.small.peak_rss_mb} MB at ${num(r.backlog.small.pending)} pending, ${r.backlog.large.peak_rss_mb} MB at ${num(r.backlog.large.pending)} | drain ${pct(r.backlog.drain_ratio)} of small-backlog rate | RSS ≤ 200 MB, within 20 % | a \`zupy worker\` process sending for a fixed window (${num(r.backlog.small.drained)} and ${num(r.backlog.large.drained)} deliveries) (${num(r.backlog.small.per_second)}/s vs ${num(r.backlog.large.per_second)}/s) |
`;
fs.mkdirSync(`${ROOT}/bench/results`, { recursive: true });
fs.writeFileSync(`${ROOT}/bench/results/latest.json`, JSON.stringify(results, null, 2) + '\n');
fs.writeFileSync(`${ROOT}/bench/results/latest.md`, md);
console.log(md);
process.exit(0);
