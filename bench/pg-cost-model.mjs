// `node bench/pg-cost-model.mjs` (part of `npm run bench`; `--quick` for small sizes, nothing
// written): what each process costs per registration and per delivery on PostgreSQL (fsync on), and
// the sizing model that follows (issue 16 item 5). On 2 shared cores "more processes" cannot look
// faster, so instead of a scale-out curve it measures the cost per unit of work of each kind of
// process, which is what adding processes multiplies:
//   A. `zupy serve --no-worker`, registrations through the API (32 in flight): Node CPU of the API
//      process, CPU of every PostgreSQL process, WAL syncs, per registration;
//   B. the backlog A left (one delivery per registration) drained by one `zupy worker`;
//   C. a second backlog drained by two `zupy worker` processes at once: the cost per delivery should
//      not rise with a second worker, and neither should lock waits (no shared hot row).
// During each phase PostgreSQL's client backends are sampled every 5 ms in pg_stat_activity: the
// share of busy samples waiting on a lock. Writes bench/results/pg-cost-model.{json,md}.
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { loadConfig } from '../packages/server/dist/config.js';
import { startRuntime } from '../packages/server/dist/app/runtime.js';
import { createCompany } from '../packages/server/dist/companies/create-company.js';
import { createEndpoint } from '../packages/server/dist/webhooks/endpoint-store.js';
import { ROOT, spawnZupy, startReceiver, startZupyServe, tempDir, waitForCount } from './lib.mjs';
import { closedLoop, cpuMicros, treeCpuMicros } from './peers/load.mjs';
import { freshDatabase, startFsyncPostgres } from './peers/postgres.mjs';

const QUICK = process.argv.includes('--quick');
const N = QUICK ? 1_000 : 4_000;
const WARM = QUICK ? 200 : 500;
const log = (...args) => console.error('[pg-cost-model]', ...args);

const server = await startFsyncPostgres();
const receiver = await startReceiver();
const env = {
  ZUPY_DATABASE_URL: await freshDatabase(server.url, 'model'),
  ZUPY_DATA_DIR: tempDir('model'),
  ZUPY_MASTER_KEY: Buffer.alloc(32, 3).toString('base64'),
  ZUPY_LOG_LEVEL: 'error',
  ZUPY_RATE_LIMIT: '1000000',
  ZUPY_ALLOW_PRIVATE_NETWORK: '1',
};
const runtime = await startRuntime(loadConfig({ ...env, ZUPY_LOG_LEVEL: 'silent' }));
const company = await createCompany(runtime.ctx.db, { name: 'Modelo' }, new Date());
await createEndpoint(runtime.ctx, company.company_id, { url: receiver.url, ordering: 'none' });
await runtime.close();

const stats = new pg.Client({ connectionString: env.ZUPY_DATABASE_URL });
await stats.connect();
const walSyncs = async () => Number((await stats.query('select wal_sync from pg_stat_wal')).rows[0].wal_sync);

/** Samples pg_stat_activity every 5 ms until stopped: busy samples, and those waiting on a lock. */
function sampleWaits() {
  let running = true;
  const counts = { busy: 0, lock: 0 };
  const done = (async () => {
    const c = new pg.Client({ connectionString: env.ZUPY_DATABASE_URL });
    await c.connect();
    while (running) {
      const { rows } = await c.query(
        `select wait_event_type as w from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
           and state <> 'idle'`,
      );
      counts.busy += rows.length;
      counts.lock += rows.filter((r) => r.w === 'Lock').length;
      await new Promise((r) => setTimeout(r, 5));
    }
    await c.end();
  })();
  return async () => {
    running = false;
    await done;
    return { busy_samples: counts.busy, lock_wait_share: counts.busy ? counts.lock / counts.busy : 0 };
  };
}

const phone = (k) => `11 9${String(k).padStart(8, '0').slice(0, 4)}-${String(k).padStart(8, '0').slice(4)}`;
/** `total` new registrations from `offset`, 32 in flight (peers/load.mjs `closedLoop`); their rate. */
async function register(url, offset, total) {
  const run = await closedLoop(
    url,
    '/api/v2/customers/',
    (i) => JSON.stringify({ phone: phone(offset + i), name: `Modelo ${offset + i}` }),
    {
      total,
      concurrency: 32,
      headers: { 'x-api-key': company.api_key },
    },
  );
  if (run.errors > 0) throw new Error(`${run.errors} of ${total} registrations were not answered 2xx`);
  return run.per_second;
}

/** Phase A: `n` registrations through the API; what each cost. Leaves `n` (+ warm-up) deliveries pending. */
async function apiPhase(offset, n) {
  const { child, url } = await startZupyServe(env, ['serve', '--no-worker']);
  await register(url, offset, WARM);
  const before = { node: cpuMicros(child.pid), pg: treeCpuMicros(server.pid), wal: await walSyncs() };
  const stopSampling = sampleWaits();
  const perSecond = await register(url, offset + WARM, n);
  const waits = await stopSampling();
  const after = { node: cpuMicros(child.pid), pg: treeCpuMicros(server.pid), wal: await walSyncs() };
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return {
    registrations: n,
    per_second: perSecond,
    node_us: (after.node - before.node) / n,
    pg_us: (after.pg - before.pg) / n,
    wal_syncs_per_registration: (after.wal - before.wal) / n,
    ...waits,
  };
}

/** Phase B/C: `workers` `zupy worker` processes drain the `pending` deliveries to the receiver. */
async function drainPhase(workers, pending) {
  await receiver.reset();
  const children = Array.from({ length: workers }, () => spawnZupy(['worker'], env));
  // From the first arrival on: the workers' start-up (loading modules, connecting) is left out.
  const nodeCpu = () => children.reduce((sum, c) => sum + cpuMicros(c.pid), 0);
  let first = 0;
  for (let i = 0; i < 30_000 && (first = await receiver.count()) === 0; i++)
    await new Promise((r) => setTimeout(r, 1));
  const before = { node: nodeCpu(), pg: treeCpuMicros(server.pid), count: await receiver.count() };
  const stopSampling = sampleWaits();
  const started = performance.now();
  await waitForCount(receiver, pending, started, 300_000);
  const seconds = (performance.now() - started) / 1000;
  const waits = await stopSampling();
  // Read before they exit: the CPU of a process is gone with it.
  const node = nodeCpu() - before.node;
  const pgAfter = treeCpuMicros(server.pid);
  const measured = pending - before.count;
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r()))));
  return {
    workers,
    deliveries: pending,
    measured_after_first: measured,
    first_seen: first,
    per_second: measured / seconds,
    node_us: node / measured,
    pg_us: (pgAfter - before.pg) / measured,
    ...waits,
  };
}

log('A: registrations through the API');
const api = await apiPhase(0, N);
log(JSON.stringify(api));
log('B: one worker drains them');
const one = await drainPhase(1, N + WARM);
log(JSON.stringify(one));
log('A again, then C: two workers drain');
const apiAgain = await apiPhase(1_000_000, N);
const two = await drainPhase(2, N + WARM);
log(JSON.stringify(two));
await stats.end();
receiver.stop();
await server.stop();

// The model: cores of each kind for R registrations/s with k endpoints each (k deliveries each), at
// 70 % utilisation (a Node process uses one core at most, so processes = cores).
const UTILISATION = 0.7;
const apiUs = (api.node_us + apiAgain.node_us) / 2;
const apiPgUs = (api.pg_us + apiAgain.pg_us) / 2;
const workerUs = one.node_us;
const workerPgUs = one.pg_us;
const model = [];
for (const rate of [100, 500, 1_000, 2_000])
  for (const endpoints of [1, 3]) {
    const apiCores = (rate * apiUs) / 1e6;
    const workerCores = (rate * endpoints * workerUs) / 1e6;
    const pgCores = (rate * (apiPgUs + endpoints * workerPgUs)) / 1e6;
    model.push({
      registrations_per_second: rate,
      endpoints,
      api_processes: Math.max(1, Math.ceil(apiCores / UTILISATION)),
      worker_processes: Math.max(1, Math.ceil(workerCores / UTILISATION)),
      postgres_cores: Math.max(1, Math.ceil(pgCores / UTILISATION)),
      api_cores: apiCores,
      worker_cores: workerCores,
      postgres_cores_busy: pgCores,
    });
  }

const results = {
  date: new Date().toISOString(),
  quick: QUICK,
  machine: {
    cpus: os.cpus().length,
    node: process.version,
    load_average_at_end: os.loadavg().map((x) => +x.toFixed(2)),
    postgres_fsync: server.fsync,
  },
  api: [api, apiAgain],
  drain: [one, two],
  model,
};
log(JSON.stringify(results));
if (!QUICK) {
  fs.writeFileSync(`${ROOT}/bench/results/pg-cost-model.json`, `${JSON.stringify(results, null, 2)}\n`);
  const n0 = (x) => Math.round(x).toLocaleString('en');
  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  const md = `# What each process costs on PostgreSQL, and how many a rate needs

Run on ${results.date.slice(0, 16).replace('T', ' ')} UTC by \`node bench/pg-cost-model.mjs\` (part of \`npm run bench\`),
${results.machine.cpus} cores, Node ${results.machine.node}, embedded PostgreSQL 17 with fsync ${results.machine.postgres_fsync},
load average at the end ${results.machine.load_average_at_end.join(' / ')}.

**Method.** One company with one endpoint at a receiver on 127.0.0.1 that answers 200 at once.
(A) \`zupy serve --no-worker\`: ${n0(N)} new registrations through the API, 32 in flight, after ${WARM} to warm
up; CPU of the API process and of every PostgreSQL process (postmaster and children, from /proc)
over the run, per registration; WAL syncs from \`pg_stat_wal\`. (B) the ${n0(N + WARM)} deliveries it left,
drained by one \`zupy worker\`: CPU of the worker and of PostgreSQL per delivery. (A) again, then (C)
the same drained by two \`zupy worker\` processes at once. Throughout, PostgreSQL's client backends
sampled every 5 ms in \`pg_stat_activity\`: the share of busy samples waiting on a lock. The rates
are this loaded 2-core machine's (PostgreSQL, the processes, the receiver and the client share
it); the CPU per unit of work is what carries over to a larger machine.

| phase | rate | Node µs per unit | PostgreSQL µs per unit | WAL syncs per unit | lock waits (busy samples) |
|---|---:|---:|---:|---:|---:|
| A. registrations, API | ${n0(api.per_second)}/s | ${n0(api.node_us)} | ${n0(api.pg_us)} | ${api.wal_syncs_per_registration.toFixed(3)} | ${pct(api.lock_wait_share)} (${n0(api.busy_samples)}) |
| A again | ${n0(apiAgain.per_second)}/s | ${n0(apiAgain.node_us)} | ${n0(apiAgain.pg_us)} | ${apiAgain.wal_syncs_per_registration.toFixed(3)} | ${pct(apiAgain.lock_wait_share)} (${n0(apiAgain.busy_samples)}) |
| B. deliveries, 1 worker | ${n0(one.per_second)}/s | ${n0(one.node_us)} | ${n0(one.pg_us)} | — | ${pct(one.lock_wait_share)} (${n0(one.busy_samples)}) |
| C. deliveries, 2 workers | ${n0(two.per_second)}/s | ${n0(two.node_us)} (both) | ${n0(two.pg_us)} | — | ${pct(two.lock_wait_share)} (${n0(two.busy_samples)}) |

(The drain is measured from the first arrival at the receiver, so the workers' start-up is left
out. A worker with a second one beside it costing more per delivery than alone would mean they
contend — or, on 2 shared cores, that they share the cores with PostgreSQL, the receiver and each
other.)

**The model.** A Node process uses one core at most, so processes are cores: for R registrations a
second, each going to k endpoints, the API needs R × ${n0(apiUs)} µs of Node, the workers R × k × ${n0(workerUs)} µs,
PostgreSQL R × (${n0(apiPgUs)} + k × ${n0(workerPgUs)}) µs, each sized here at ${UTILISATION * 100} % busy. It assumes what (C)
checks — that the cost per unit does not grow with processes (no lock waits, no shared hot row) —
and leaves out the disk: WAL syncs per registration (above) are shared by the requests of one
commit, and a disk that syncs in 1–2 ms carries several hundred commits a second.

| registrations/s | endpoints each | API processes | worker processes | PostgreSQL cores | (busy cores: API / workers / PostgreSQL) |
|---:|---:|---:|---:|---:|---|
${model.map((m) => `| ${n0(m.registrations_per_second)} | ${m.endpoints} | ${m.api_processes} | ${m.worker_processes} | ${m.postgres_cores} | ${m.api_cores.toFixed(2)} / ${m.worker_cores.toFixed(2)} / ${m.postgres_cores_busy.toFixed(2)} |`).join('\n')}
`;
  fs.writeFileSync(`${ROOT}/bench/results/pg-cost-model.md`, md);
}
process.exit(0);
