// `npm run bench:fleet`: Zupy against a fleet of 200 receivers on 127.0.0.1 — slow (lognormal answer
// times), TLS (half, with a CA made at start), hanging, failing, rate-limited — and BullMQ and pg-boss
// against the same fleet with the same event rate, one after the other in one run. Writes
// bench/results/fleet.{json,md} (`--quick`: fleet-quick.*, short, for trying it).
// Options: --quick, --only=zupy,zupy_serve,zupy_node_ca,bullmq,pg_boss, --rate=<deliveries/s offered>, --seconds=<load>,
// --no-in-flight (the fleet only), --render (the .md again from the .json, measuring nothing).
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ask, ROOT, sleep } from '../lib.mjs';
import { cpuMicros } from '../peers/load.mjs';
import { startFsyncPostgres } from '../peers/postgres.mjs';
import { analyse } from './analyse.mjs';
import { inFlightScenario } from './in-flight.mjs';
import { makeCerts } from './certs.mjs';
import {
  SIGMA,
  HEALTHY_MEDIAN_MS,
  LIMITED_MEDIAN_MS,
  LIMITED_IN_FLIGHT,
  MAX_ANSWER_MS,
} from './fleet-spec.mjs';
import { startPeer } from './peers.mjs';
import { render } from './render.mjs';
import * as zupy from './zupy.mjs';

const QUICK = process.argv.includes('--quick');
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const SIZES = {
  endpoints: 200,
  companies: 20,
  seed: 17,
  deliveries_per_second: Number(arg('rate') ?? 600),
  seconds: Number(arg('seconds') ?? (QUICK ? 12 : 120)),
  warmup_seconds: QUICK ? 5 : 30,
  grace_seconds: QUICK ? 4 : 20,
  per_endpoint_cap: 64,
};
const IN_FLIGHT = { events: 3000, answerMs: 8000, maxSeconds: 100 };
const SYSTEMS = ['zupy', 'zupy_serve', 'zupy_node_ca', 'bullmq', 'pg_boss'];
// --quick: Zupy's main layout and the peers only (about a minute).
const only = arg('only')?.split(',') ?? (QUICK ? ['zupy', 'bullmq', 'pg_boss'] : SYSTEMS);
const log = (...args) => console.error('[fleet]', ...args);
const out = QUICK ? 'fleet-quick' : 'fleet';

if (process.argv.includes('--render')) {
  const results = JSON.parse(fs.readFileSync(`${ROOT}/bench/results/${out}.json`, 'utf8'));
  fs.writeFileSync(`${ROOT}/bench/results/${out}.md`, render(results));
  process.exit(0);
}

/** Whether main's worker reads ZUPY_MAX_IN_FLIGHT (the lead is adding it): then the bench sets 5,000. */
function maxInFlightSetting() {
  const config = fs.readFileSync(`${ROOT}/packages/server/dist/config.js`, 'utf8');
  return config.includes('ZUPY_MAX_IN_FLIGHT') ? { ZUPY_MAX_IN_FLIGHT: '5000' } : {};
}

/** VmRSS / VmHWM of `pid` in MB. */
function memory(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** Samples the system's process (RSS, CPU), the load average and Zupy's in-flight gauge while `fn` runs. */
async function sampled(system, fn) {
  const samples = { rss: [], load: [], inFlight: [], timeline: [] };
  let hwm = 0;
  const timer = setInterval(() => {
    const m = memory(system.pid);
    if (m) {
      samples.rss.push(m.rss);
      hwm = Math.max(hwm, m.hwm);
    }
    samples.load.push(os.loadavg()[0]);
  }, 500);
  let metricsBusy = false;
  const metricsTimer = setInterval(async () => {
    if (metricsBusy) return;
    metricsBusy = true;
    const text = await system.metrics();
    const n = /^zupy_worker_in_flight (\d+)/m.exec(text)?.[1];
    if (n !== undefined) samples.inFlight.push(Number(n));
    samples.timeline.push([
      Math.round((performance.now() - startedAt) / 1000),
      n === undefined ? null : Number(n),
      Math.round(memory(system.pid)?.rss ?? 0),
      Number(os.loadavg()[0].toFixed(2)),
    ]);
    metricsBusy = false;
  }, 1000);
  const cpuBefore = cpuMicros(system.pid);
  const startedAt = performance.now();
  try {
    const result = await fn();
    const m = memory(system.pid);
    if (m) hwm = Math.max(hwm, m.hwm);
    const cpuSeconds = (cpuMicros(system.pid) - cpuBefore) / 1e6;
    const wall = (performance.now() - startedAt) / 1000;
    return {
      result,
      process: {
        rss_peak_sampled_mb: samples.rss.length ? Math.round(Math.max(...samples.rss)) : null,
        rss_hwm_mb: hwm ? Math.round(hwm) : null,
        cpu_share_of_one_core: Number((cpuSeconds / wall).toFixed(2)),
        worker_in_flight_peak: samples.inFlight.length ? Math.max(...samples.inFlight) : null,
        // Every 5 s: [seconds, worker in flight (Zupy), RSS MB, load average].
        timeline: samples.timeline.filter((_, i) => i % 5 === 0),
        worker_in_flight_mean: samples.inFlight.length
          ? Math.round(samples.inFlight.reduce((a, b) => a + b, 0) / samples.inFlight.length)
          : null,
      },
      load_average: {
        mean_1min: Number((samples.load.reduce((a, b) => a + b, 0) / samples.load.length).toFixed(2)),
        max_1min: Number(Math.max(...samples.load).toFixed(2)),
      },
    };
  } finally {
    clearInterval(timer);
    clearInterval(metricsTimer);
  }
}

/** Zupy's adaptive limits per kind of endpoint at the end (from /metrics), as min / median / max. */
function limitsByKind(text, endpointIds, endpoints) {
  const byId = new Map();
  for (const m of text.matchAll(/^zupy_endpoint_concurrency_limit\{endpoint="([^"]+)"\} (\d+)/gm))
    byId.set(m[1], Number(m[2]));
  const out = {};
  for (const kind of ['healthy', 'limited', 'flaky', 'hang']) {
    const values = endpoints
      .filter((e) => e.kind === kind)
      .map((e) => byId.get(endpointIds[e.url]))
      .filter((v) => v !== undefined)
      .sort((a, b) => a - b);
    out[kind] = values.length
      ? { min: values[0], median: values[Math.floor(values.length / 2)], max: values.at(-1) }
      : null;
  }
  return out;
}

async function measure() {
  const certs = makeCerts();
  const receiverScript = path.join(ROOT, 'bench/fleet/fleet-receiver.mjs');
  const receiver = fork(
    receiverScript,
    [JSON.stringify({ n: SIZES.endpoints, seed: SIZES.seed, key: certs.key, cert: certs.cert })],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  const { endpoints: list } = await new Promise((resolve, reject) => {
    receiver.once('message', resolve);
    receiver.once('exit', (code) => reject(new Error(`fleet receiver exited with ${code}`)));
  });
  const perCompany = SIZES.endpoints / SIZES.companies;
  const endpoints = list.map((e) => ({ ...e, company: Math.floor(e.index / perCompany) }));
  const companies = Array.from({ length: SIZES.companies }, (_, c) =>
    endpoints.filter((e) => e.company === c).map((e) => e.url),
  );
  const eventsPerSecond = SIZES.deliveries_per_second / perCompany;
  const pkg = (name) =>
    JSON.parse(fs.readFileSync(`${ROOT}/node_modules/${name}/package.json`, 'utf8')).version;
  const zupyEnv = maxInFlightSetting();
  const results = {
    date: new Date().toISOString(),
    quick: QUICK,
    sizes: SIZES,
    fleet: {
      kinds: Object.fromEntries(
        ['healthy', 'limited', 'flaky', 'hang'].map((k) => [
          k,
          {
            endpoints: endpoints.filter((e) => e.kind === k).length,
            tls: endpoints.filter((e) => e.kind === k && e.tls).length,
          },
        ]),
      ),
      answer_times: {
        sigma: Number(SIGMA.toFixed(4)),
        healthy_median_ms: HEALTHY_MEDIAN_MS,
        limited_median_ms: LIMITED_MEDIAN_MS,
        cut_at_ms: MAX_ANSWER_MS,
      },
      limited_in_flight: LIMITED_IN_FLIGHT,
    },
    zupy_env: zupyEnv,
    in_flight_sizes: QUICK ? null : IN_FLIGHT,
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim(),
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      load_average_at_start: os.loadavg().map((x) => Number(x.toFixed(2))),
      versions: {
        bullmq: pkg('bullmq'),
        'pg-boss': pkg('pg-boss'),
        undici: pkg('undici'),
        redis: execFileSync('redis-server', ['--version']).toString().trim().split(' ').slice(0, 3).join(' '),
        openssl: execFileSync('/usr/bin/openssl', ['version'])
          .toString()
          .trim()
          .split(' ')
          .slice(0, 2)
          .join(' '),
      },
    },
    systems: {},
  };
  const pg = only.includes('pg_boss') ? await startFsyncPostgres() : null;
  let base = 0;
  try {
    for (const key of SYSTEMS.filter((k) => only.includes(k))) {
      await ask(receiver, 'reset');
      const startedAt = new Date().toISOString();
      log(key, `starting (${eventsPerSecond} events/s × ${SIZES.seconds} s)`);
      let system;
      try {
        system =
          key in zupy.LAYOUTS
            ? await zupy.start({ companies, caFile: certs.ca, extraEnv: zupyEnv, ...zupy.LAYOUTS[key] })
            : await startPeer(key, { companies, caFile: certs.ca, pg });
        const loadAtStart = os.loadavg()[0];
        const run = await sampled(system, async () => {
          const load = await system.run(eventsPerSecond, SIZES.seconds, (base += 10_000_000));
          // Grace: until every healthy delivery has arrived, or the grace is over.
          const expected = [...load.answered.values()].reduce(
            (n, { i }) =>
              n + endpoints.filter((e) => e.company === i % SIZES.companies && e.kind === 'healthy').length,
            0,
          );
          const graceEnd = performance.now() + SIZES.grace_seconds * 1000;
          while (performance.now() < graceEnd && (await ask(receiver, 'count')).healthyOk < expected)
            await sleep(250);
          return load;
        });
        const limits =
          key in zupy.LAYOUTS ? limitsByKind(await system.metrics(), system.endpointIds, endpoints) : null;
        const report = await ask(receiver, 'report');
        const figures = analyse({
          endpoints,
          report,
          load: run.result,
          companies: SIZES.companies,
          warmupMs: SIZES.warmup_seconds * 1000,
          seconds: SIZES.seconds,
          perEndpointCap: SIZES.per_endpoint_cap,
        });
        const api = system.apiPid && system.apiPid !== system.pid ? memory(system.apiPid) : null;
        results.systems[key] = {
          started_at: startedAt,
          ...(api
            ? { api_process: { rss_mb_at_end: Math.round(api.rss), rss_hwm_mb: Math.round(api.hwm) } }
            : {}),
          ...figures,
          process: run.process,
          load_average: { at_start_1min: Number(loadAtStart.toFixed(2)), ...run.load_average },
          ...(limits ? { adaptive_limits_at_end: limits } : {}),
        };
        log(key, JSON.stringify(results.systems[key]).slice(0, 1500));
      } catch (err) {
        results.systems[key] = { started_at: startedAt, error: String(err?.stack ?? err) };
        log(key, 'failed:', err);
      } finally {
        await system?.stop();
        await ask(receiver, 'drop-hung');
      }
    }
    receiver.kill();
    // Memory with thousands in flight (not in --quick): Zupy's two ways of trusting the CA.
    if (!QUICK && !process.argv.includes('--no-in-flight')) {
      results.in_flight = {};
      for (const key of ['zupy', 'zupy_node_ca'].filter((k) => only.includes(k))) {
        log(key, 'in-flight scenario');
        try {
          results.in_flight[key] = await inFlightScenario({
            certs,
            seed: SIZES.seed,
            extraEnv: zupyEnv,
            nodeCa: Boolean(zupy.LAYOUTS[key].nodeCa),
            ...IN_FLIGHT,
          });
        } catch (err) {
          results.in_flight[key] = { error: String(err?.stack ?? err) };
        }
        log(key, JSON.stringify({ ...results.in_flight[key], samples: undefined }));
      }
    }
  } finally {
    receiver.kill();
    await pg?.stop();
    fs.rmSync(certs.dir, { recursive: true, force: true });
  }
  results.machine.load_average_at_end = os.loadavg().map((x) => Number(x.toFixed(2)));
  return results;
}

const results = await measure();
fs.mkdirSync(`${ROOT}/bench/results`, { recursive: true });
fs.writeFileSync(`${ROOT}/bench/results/${out}.json`, JSON.stringify(results, null, 2) + '\n');
const md = render(results);
fs.writeFileSync(`${ROOT}/bench/results/${out}.md`, md);
console.log(md);
process.exit(0);
