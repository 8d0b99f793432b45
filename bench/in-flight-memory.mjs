// `node bench/in-flight-memory.mjs` (part of `npm run bench`): a `zupy worker` process with
// ZUPY_MAX_IN_FLIGHT=5000 against 80 endpoints of 8 companies (10 each, the most a company may have)
// at a receiver that answers every request after 2 s, a backlog of 1,000 deliveries per endpoint.
// Each endpoint's adaptive limit grows to its cap of 64 (80 × 64 > 5,000), so the worker ends up
// holding 5,000 requests at once. Reported: the most requests open at the receiver, the worker's
// RSS while 4,900 or more were open (sampled every 250 ms) and its peak (VmHWM), against issue 17's
// target of 250 MB at 5,000 in flight; the same with the worker's V8 old space capped
// (`--max-old-space-size=160`), which shows what is live and what is garbage not yet collected.
// `--quick`: 1,000 in flight, 15 s, nothing written. Writes bench/results/in-flight-memory.{json,md}.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../packages/server/dist/config.js';
import { startRuntime } from '../packages/server/dist/app/runtime.js';
import { createCompany } from '../packages/server/dist/companies/create-company.js';
import { createEndpoint } from '../packages/server/dist/webhooks/endpoint-store.js';
import { ask, percentile, ROOT, sleep, spawnZupy, startChild, tempDir } from './lib.mjs';

const QUICK = process.argv.includes('--quick');
const TARGET = QUICK ? 1_000 : 5_000;
const COMPANIES = 8;
const ENDPOINTS_PER_COMPANY = 10;
const PER_ENDPOINT = QUICK ? 200 : 1_000;
const ANSWER_MS = 2_000;
const WINDOW_S = QUICK ? 15 : 40;
const log = (...args) => console.error('[in-flight-memory]', ...args);

const status = (pid) => {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
};

const VARIANTS = [
  { name: 'default', nodeOptions: '' },
  { name: 'old space capped', nodeOptions: '--max-old-space-size=160' },
];
const median = (values) => {
  const middle = percentile(values.filter(Number.isFinite), 0.5);
  return middle === null ? null : Math.round(middle);
};
const freePort = () =>
  new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
/** The worker's heap from its /metrics (prom-client's default metrics), in MB. */
async function heapOf(port) {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const value = (name) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
    return {
      heap_used: value('nodejs_heap_size_used_bytes'),
      heap_total: value('nodejs_heap_size_total_bytes'),
      external: value('nodejs_external_memory_bytes'),
    };
  } catch {
    return null;
  }
}

/** A data directory with the endpoints and their backlog. */
async function prepare(receiverUrl) {
  const dir = tempDir('in-flight');
  const env = {
    ZUPY_DATA_DIR: dir,
    ZUPY_MASTER_KEY: Buffer.alloc(32, 5).toString('base64'),
    ZUPY_ALLOW_PRIVATE_NETWORK: '1',
    ZUPY_LOG_LEVEL: 'silent',
    ZUPY_MAX_IN_FLIGHT: String(TARGET),
  };
  const runtime = await startRuntime(loadConfig(env));
  const endpoints = [];
  for (let c = 0; c < COMPANIES; c++) {
    const company = await createCompany(runtime.ctx.db, { name: `Memória ${c}` }, new Date());
    for (let e = 0; e < ENDPOINTS_PER_COMPANY; e++) {
      const endpoint = await createEndpoint(runtime.ctx, company.company_id, {
        url: `${receiverUrl}/c${c}/e${e}`,
        ordering: 'none',
      });
      endpoints.push({ id: endpoint.id, company: company.company_id });
    }
  }
  await runtime.close();
  // The backlog straight into SQLite (as scenarios.mjs `backlog` does): one event per delivery.
  const sqlite = new Database(path.join(dir, 'zupy.db'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  const now = new Date().toISOString();
  const series = `with recursive seq(i) as (select 0 union all select i + 1 from seq where i < ${PER_ENDPOINT - 1})`;
  const insertEvents = sqlite.prepare(
    `${series} insert into events (id, company_id, type, body, created_at, is_test)
     select 'evt_' || ? || '_' || i, ?, 'customer.registered', ?, ?, 0 from seq`,
  );
  const insertDeliveries = sqlite.prepare(
    `${series} insert into deliveries (id, company_id, event_id, event_type, endpoint_id, status, attempts_count,
       schedule_offset, next_attempt_at, lease_expires_at, is_test, created_at, updated_at)
     select 'dlv_' || ? || '_' || i, ?, 'evt_' || ? || '_' || i, 'customer.registered', ?, 'pending', 0, 0, ?, null, 0, ?, ? from seq`,
  );
  sqlite.transaction(() => {
    endpoints.forEach(({ id, company }, n) => {
      insertEvents.run(n, company, BODY, now);
      insertDeliveries.run(n, company, n, id, now, now, now);
    });
  })();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
  return env;
}

async function measure(variant) {
  const { child: receiver, first } = await startChild(path.join(ROOT, 'bench/receiver.mjs'), [
    `--delay=${ANSWER_MS}`,
  ]);
  const env = await prepare(`http://127.0.0.1:${first.port}`);
  const workerEnv = { ...env, NODE_OPTIONS: variant.nodeOptions };
  // The base: a worker with nothing to send, once started.
  const idleWorker = spawnZupy(['worker'], { ...workerEnv, ZUPY_DATA_DIR: tempDir('in-flight-idle') });
  await sleep(4_000);
  const idle = status(idleWorker.pid);
  idleWorker.kill('SIGKILL');
  const port = await freePort();
  const worker = spawnZupy(['worker'], { ...workerEnv, ZUPY_PORT: String(port) });
  const samples = [];
  const started = performance.now();
  let mostOpen = 0;
  while (performance.now() - started < WINDOW_S * 1000) {
    await sleep(250);
    const { open } = await ask(receiver, 'open');
    const s = status(worker.pid);
    if (s === null) break;
    mostOpen = Math.max(mostOpen, open);
    const heap = open >= TARGET * 0.98 ? await heapOf(port) : null;
    samples.push({ t: (performance.now() - started) / 1000, open, rss: s.rss, anon: s.anon, ...heap });
  }
  const end = status(worker.pid);
  const { count } = await ask(receiver, 'count');
  worker.kill('SIGKILL');
  receiver.kill();
  const full = samples.filter((s) => s.open >= TARGET * 0.98);
  const result = {
    variant: variant.name,
    node_options: variant.nodeOptions,
    most_open_at_receiver: mostOpen,
    seconds_to_full: full[0] ? Number(full[0].t.toFixed(1)) : null,
    samples_full: full.length,
    idle_worker_rss_mb: idle ? Math.round(idle.rss) : null,
    idle_worker_rss_anon_mb: idle ? Math.round(idle.anon) : null,
    rss_mb_while_full_median: median(full.map((s) => s.rss)),
    rss_anon_mb_while_full_median: median(full.map((s) => s.anon)),
    rss_mb_while_full_max: full.length ? Math.round(Math.max(...full.map((s) => s.rss))) : null,
    peak_rss_mb: end ? Math.round(end.hwm) : null,
    heap_used_mb_while_full_median: median(full.map((s) => s.heap_used)),
    heap_total_mb_while_full_median: median(full.map((s) => s.heap_total)),
    external_mb_while_full_median: median(full.map((s) => s.external)),
    answered_in_window: count,
  };
  log(JSON.stringify(result));
  return { ...result, samples };
}

const BODY = JSON.stringify({ type: 'customer.registered', padding: 'x'.repeat(600) });
const runs = [];
for (const variant of VARIANTS) runs.push(await measure(variant));
const results = {
  date: new Date().toISOString(),
  quick: QUICK,
  machine: {
    cpus: os.cpus().length,
    node: process.version,
    load_average_at_end: os.loadavg().map((x) => +x.toFixed(2)),
  },
  setup: {
    max_in_flight: TARGET,
    endpoints: COMPANIES * ENDPOINTS_PER_COMPANY,
    companies: COMPANIES,
    answer_ms: ANSWER_MS,
    backlog: COMPANIES * ENDPOINTS_PER_COMPANY * PER_ENDPOINT,
    window_seconds: WINDOW_S,
    event_body_bytes: Buffer.byteLength(BODY),
  },
  runs,
};
if (!QUICK) {
  fs.writeFileSync(
    path.join(ROOT, 'bench/results/in-flight-memory.json'),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  const cell = (v) => (v === null || v === undefined ? '—' : String(v));
  const row = (label, key, target = '') =>
    `| ${label} | ${runs.map((r) => cell(r[key])).join(' | ')} | ${target} |`;
  fs.writeFileSync(
    path.join(ROOT, 'bench/results/in-flight-memory.md'),
    `# Worker memory with ${TARGET.toLocaleString('en')} requests in flight

Run on ${results.date.slice(0, 16).replace('T', ' ')} UTC by \`node bench/in-flight-memory.mjs\` (part of
\`npm run bench\`), ${results.machine.cpus} cores, Node ${results.machine.node}, load average at the end
${results.machine.load_average_at_end.join(' / ')}.

**Method.** One \`zupy worker\` process on SQLite with \`ZUPY_MAX_IN_FLIGHT=${TARGET}\`, ${results.setup.endpoints}
endpoints of ${COMPANIES} companies (10 each, the most a company may have), each with a backlog of
${PER_ENDPOINT.toLocaleString('en')} deliveries (${results.setup.event_body_bytes}-byte bodies), at a receiver in its own process that
answers every request after ${ANSWER_MS / 1000} s. Each endpoint's adaptive limit grows to its cap of 64,
so the global cap is what holds the worker. Every 250 ms for ${WINDOW_S} s: the requests open at the
receiver and the worker's RSS (VmRSS), and while full (at least 98 % of the cap open) its heap from
its \`/metrics\`; at the end its peak RSS (VmHWM). "Idle": a worker with nothing to send, 4 s after
its start. RSS counts the Node binary's and native modules' file pages (about 48 MB, shared with
every Node process); RssAnon is the worker's own. Each column a fresh worker and backlog; the second runs the worker with \`NODE_OPTIONS=${VARIANTS[1].nodeOptions}\`.

| figure | ${runs.map((r) => r.variant).join(' | ')} | target (issue 17) |
|---|${runs.map(() => '---:|').join('')}---|
${row('most requests open at once at the receiver', 'most_open_at_receiver', TARGET.toLocaleString('en'))}
${row("seconds from the worker's start until full", 'seconds_to_full')}
${row('idle worker RSS (MB)', 'idle_worker_rss_mb')}
${row('idle worker RSS, private (RssAnon, MB)', 'idle_worker_rss_anon_mb')}
${row('worker RSS while full, median (MB)', 'rss_mb_while_full_median', '≤ 250')}
${row('worker RSS while full, max (MB)', 'rss_mb_while_full_max', '≤ 250')}
${row('worker RSS while full, private (RssAnon), median (MB)', 'rss_anon_mb_while_full_median')}
${row('worker peak RSS, VmHWM (MB)', 'peak_rss_mb', '≤ 250')}
${row('V8 heap used while full, median (MB)', 'heap_used_mb_while_full_median')}
${row('V8 heap total while full, median (MB)', 'heap_total_mb_while_full_median')}
${row('external memory while full, median (MB)', 'external_mb_while_full_median')}
${row(`deliveries answered in the ${WINDOW_S} s window`, 'answered_in_window')}
`,
  );
}
process.exit(0);
