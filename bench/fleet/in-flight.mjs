// The worker's memory with thousands of requests in flight (issue 17's "RSS ≤ 250 MB with 5,000 in
// flight"): the fleet's 200 endpoints all healthy and slow — each answers 200 after exactly
// `answerMs` — half over HTTPS, and a backlog of `events` registrations already recorded (one delivery
// per endpoint of its company) before one `zupy worker` starts. Each endpoint's adaptive limit grows
// from 8 to 64 (200 × 64 > ZUPY_MAX_IN_FLIGHT), so the worker reaches its global cap; its /metrics
// in-flight gauge and its RSS are sampled every 0.5 s until the backlog is sent or `maxSeconds`.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sampleEvent } from '../../packages/webhooks/dist/index.js';
import { createCompany } from '../../packages/server/dist/companies/create-company.js';
import { loadConfig } from '../../packages/server/dist/config.js';
import { runInTransaction } from '../../packages/server/dist/db/transaction.js';
import { recordEvent } from '../../packages/server/dist/events/record-event.js';
import { startRuntime } from '../../packages/server/dist/app/runtime.js';
import { createEndpoint } from '../../packages/server/dist/webhooks/endpoint-store.js';
import { ask, ROOT, sleep, spawnZupy, tempDir } from '../lib.mjs';
import { cpuMicros } from '../peers/load.mjs';
import { freePort, stopChild } from './zupy.mjs';

function memory(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const mb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
    return { rss: mb('VmRSS'), hwm: mb('VmHWM') };
  } catch {
    return null;
  }
}

/** `ca`: certs.mjs's paths; `nodeCa`: the CA via NODE_EXTRA_CA_CERTS instead of ZUPY_EXTRA_CA_FILE. */
export async function inFlightScenario({ certs, seed, extraEnv, nodeCa, events, answerMs, maxSeconds }) {
  const receiver = fork(
    path.join(ROOT, 'bench/fleet/fleet-receiver.mjs'),
    [JSON.stringify({ n: 200, seed, key: certs.key, cert: certs.cert, uniformMs: answerMs })],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  let worker = null;
  try {
    const { endpoints } = await new Promise((resolve, reject) => {
      receiver.once('message', resolve);
      receiver.once('exit', (code) => reject(new Error(`fleet receiver exited with ${code}`)));
    });
    const env = {
      ZUPY_DATA_DIR: tempDir('fleet-inflight'),
      ZUPY_LOG_LEVEL: 'error',
      ZUPY_ALLOW_PRIVATE_NETWORK: '1',
      // 30 s, not the default 10 s: an 8 s answer from a loaded machine must not time out (this
      // scenario measures memory at the cap, not timeouts).
      ZUPY_DELIVERY_TIMEOUT: '30s',
      ...(nodeCa ? { NODE_EXTRA_CA_CERTS: certs.ca } : { ZUPY_EXTRA_CA_FILE: certs.ca }),
      ...extraEnv,
    };
    const runtime = await startRuntime(loadConfig({ ...env, ZUPY_LOG_LEVEL: 'silent' }));
    const companyIds = [];
    for (let c = 0; c < 20; c++) {
      const created = await createCompany(runtime.ctx.db, { name: `In flight ${c}` }, new Date());
      for (const e of endpoints.slice(c * 10, c * 10 + 10))
        await createEndpoint(runtime.ctx, created.company_id, { url: e.url });
      companyIds.push(created.company_id);
    }
    for (let start = 0; start < events; start += 500) {
      await runInTransaction(runtime.ctx.db, async (trx) => {
        for (let i = start; i < Math.min(events, start + 500); i++) {
          const event = sampleEvent('customer.registered', { companyId: companyIds[i % 20] });
          event.customer.member_id = `ZP-${i.toString(16).toUpperCase().padStart(8, '0')}`;
          await recordEvent(trx, event, new Date());
        }
      });
    }
    await runtime.close();
    const total = events * 10;
    const port = await freePort();
    worker = spawnZupy(['worker'], { ...env, ZUPY_PORT: String(port) });
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    const samples = [];
    const started = performance.now();
    const cpuBefore = cpuMicros(worker.pid);
    let delivered = 0;
    while (performance.now() - started < maxSeconds * 1000) {
      await sleep(500);
      if (worker.exitCode !== null) throw new Error(`zupy worker exited with ${worker.exitCode}`);
      const text = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.text(),
        () => '',
      );
      const inFlight = Number(/^zupy_worker_in_flight (\d+)/m.exec(text)?.[1] ?? NaN);
      const m = memory(worker.pid);
      delivered = (await ask(receiver, 'ok-count')).ok;
      samples.push({
        t: (performance.now() - started) / 1000,
        inFlight,
        rss: m?.rss,
        hwm: m?.hwm,
        delivered,
      });
      if (delivered >= total) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = (cpuMicros(worker.pid) - cpuBefore) / 1e6;
    const hwm = Math.max(...samples.map((s) => s.hwm ?? 0));
    const peak = Math.max(...samples.map((s) => (Number.isFinite(s.inFlight) ? s.inFlight : 0)));
    const atCap = samples.filter((s) => s.inFlight >= 0.9 * peak);
    const report = await ask(receiver, 'report');
    return {
      events,
      deliveries: total,
      answer_ms: answerMs,
      delivered,
      seconds: Number(seconds.toFixed(1)),
      in_flight_peak: peak,
      receiver_peak_in_flight: report.totalPeak,
      seconds_at_90pct_of_peak: Number((atCap.length * 0.5).toFixed(1)),
      rss_hwm_mb: Math.round(hwm),
      rss_max_at_90pct_of_peak_mb: atCap.length ? Math.round(Math.max(...atCap.map((s) => s.rss))) : null,
      cpu_share_of_one_core: Number((cpu / seconds).toFixed(2)),
      tls_connections: report.endpoints
        .filter((e) => e.index % 2 === 1)
        .reduce((n, e) => n + e.handshakes.length, 0),
      samples: samples.map((s) => [Number(s.t.toFixed(1)), s.inFlight, Math.round(s.rss), s.delivered]),
    };
  } finally {
    if (worker) await stopChild(worker, 'SIGKILL');
    receiver.kill();
  }
}
