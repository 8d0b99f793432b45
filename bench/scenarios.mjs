import path from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { Pool } from 'undici';
import {
  sampleEvent,
  serializeEvent,
  signatureHeaders,
  generateSecret,
} from '../packages/webhooks/dist/index.js';
import { createCompany } from '../packages/server/dist/companies/create-company.js';
import { loadConfig } from '../packages/server/dist/config.js';
import { runInTransaction } from '../packages/server/dist/db/transaction.js';
import { recordEvent } from '../packages/server/dist/events/record-event.js';
import { startRuntime } from '../packages/server/dist/app/runtime.js';
import { createEndpoint } from '../packages/server/dist/webhooks/endpoint-store.js';
import {
  ask,
  percentile,
  rssMb,
  sleep,
  spawnZupy,
  startChild,
  startReceiver,
  startZupyServe,
  tempDir,
  waitForCount,
  waitForDrain,
  freshPgDatabase,
  ROOT,
} from './lib.mjs';

const BODY = serializeEvent(sampleEvent('customer.registered'));
const quietLog = Fastify({ logger: false }).log;

/** Ceiling: raw undici keep-alive POSTs of the ~600-byte body to the receiver, 64 in flight. */
export async function ceiling(receiver, seconds) {
  const origin = new URL(receiver.url).origin;
  const pool = new Pool(origin, { connections: 64 });
  const secret = generateSecret();
  const headers = {
    'content-type': 'application/json',
    ...signatureHeaders({ secrets: [secret], eventId: 'evt_x', timestamp: 1, body: BODY }),
  };
  let sent = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (performance.now() < deadline) {
        const res = await pool.request({ path: '/', method: 'POST', headers, body: BODY });
        await res.body.dump();
        sent++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return {
    requests: sent,
    seconds: elapsed,
    per_second: sent / elapsed,
    body_bytes: Buffer.byteLength(BODY),
  };
}

async function setup(env) {
  const runtime = await startRuntime(
    loadConfig({ ZUPY_LOG_LEVEL: 'silent', ZUPY_ALLOW_PRIVATE_NETWORK: '1', ...env }),
  );
  const company = await createCompany(runtime.ctx.db, { name: 'Bench' }, new Date());
  return { runtime, companyId: company.company_id };
}

/** Records `n` events through the real outbox code (one delivery per endpoint each), 500 per transaction. */
/**
 * `n` recorded events, `perMember` per member (a registration, then tier upgrades): with more than one,
 * an endpoint ordered by member sends each member's in sequence.
 */
async function fillBacklog(runtime, companyId, n, perMember = 1) {
  for (let start = 0; start < n; start += 500) {
    await runInTransaction(runtime.ctx.db, async (trx) => {
      for (let i = start; i < Math.min(n, start + 500); i++) {
        const member = Math.floor(i / perMember);
        const event = sampleEvent(i % perMember === 0 ? 'customer.registered' : 'tier.upgraded', {
          companyId,
        });
        event.customer.member_id = `ZP-${member.toString(16).toUpperCase().padStart(8, '0')}`;
        await recordEvent(trx, event, new Date());
      }
    });
  }
}

/** Drain on SQLite: a backlog already in the database, sent by the in-process worker. */
export async function drainSqlite(receiver, n, hooks = {}, { ordering = 'member', perMember = 1 } = {}) {
  await receiver.reset();
  const dir = tempDir('drain');
  const { runtime, companyId } = await setup({ ZUPY_DATA_DIR: dir });
  await createEndpoint(runtime.ctx, companyId, { url: receiver.url, ordering });
  await fillBacklog(runtime, companyId, n, perMember);
  await hooks.beforeDrain?.();
  runtime.startWorker(quietLog);
  const drained = await waitForDrain(receiver, n);
  await hooks.afterDrain?.();
  await runtime.close();
  return drained;
}

/** Drain on PostgreSQL with `workers` separate `zupy worker` processes. */
export async function drainPostgres(
  receiver,
  pgAdminUrl,
  n,
  workers,
  { ordering = 'member', perMember = 1 } = {},
) {
  await receiver.reset();
  const name = `bench_${workers}_${Date.now()}`;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = pgAdminUrl.replace(/\/[^/]*$/, `/${name}`);
  const dir = tempDir('pg');
  const env = {
    ZUPY_DATABASE_URL: url,
    ZUPY_DATA_DIR: dir,
    ZUPY_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  };
  const { runtime, companyId } = await setup(env);
  await createEndpoint(runtime.ctx, companyId, { url: receiver.url, ordering });
  await fillBacklog(runtime, companyId, n, perMember);
  const children = Array.from({ length: workers }, () =>
    spawnZupy(['worker'], { ...env, ZUPY_ALLOW_PRIVATE_NETWORK: '1' }),
  );
  const drained = await waitForDrain(receiver, n);
  for (const c of children) c.kill('SIGKILL');
  await runtime.close();
  return { workers, ...drained };
}

/** Isolation: a healthy endpoint's drain rate alone, and beside an endpoint that never answers. */
export async function isolation(receiver, n) {
  const alone = await drainSqlite(receiver, n);
  const dead = await startReceiver(['--hang']);
  await receiver.reset();
  const dir = tempDir('iso');
  const { runtime, companyId } = await setup({ ZUPY_DATA_DIR: dir, ZUPY_DELIVERY_TIMEOUT: '30s' });
  await createEndpoint(runtime.ctx, companyId, { url: receiver.url });
  await createEndpoint(runtime.ctx, companyId, { url: dead.url });
  await fillBacklog(runtime, companyId, n);
  runtime.startWorker(quietLog);
  const beside = await waitForDrain(receiver, n);
  dead.stop();
  await runtime.worker.stop(100);
  await runtime.close();
  return {
    healthy_alone_per_second: alone.per_second,
    healthy_beside_dead_per_second: beside.per_second,
    ratio: beside.per_second / alone.per_second,
  };
}

/** Backlog: a `zupy worker` process sending for `windowSeconds` from `pending` deliveries; its peak RSS. */
export async function backlog(receiver, pending, windowSeconds = 15) {
  await receiver.reset();
  const dir = tempDir('backlog');
  const env = { ZUPY_DATA_DIR: dir, ZUPY_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') };
  const { runtime, companyId } = await setup(env);
  const endpoint = await createEndpoint(runtime.ctx, companyId, { url: receiver.url });
  await runtime.close();
  // Bulk rows straight into SQLite with one INSERT … SELECT each: recording a million events through
  // the API code would take minutes.
  const sqlite = new Database(path.join(dir, 'zupy.db'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  const now = new Date().toISOString();
  const fillStarted = performance.now();
  const series = `with recursive seq(i) as (select 0 union all select i + 1 from seq where i < ${pending - 1})`;
  sqlite
    .prepare(
      `${series} insert into events (id, company_id, type, body, created_at, is_test)
    select 'evt_b' || i, ?, 'customer.registered', ?, ?, 0 from seq`,
    )
    .run(companyId, BODY, now);
  sqlite
    .prepare(
      `${series} insert into deliveries (id, company_id, event_id, event_type, endpoint_id, status, attempts_count,
      schedule_offset, next_attempt_at, lease_expires_at, is_test, created_at, updated_at)
    select 'dlv_b' || i, ?, 'evt_b' || i, 'customer.registered', ?, 'pending', 0, 0, ?, null, 0, ?, ? from seq`,
    )
    .run(companyId, endpoint.id, now, now, now);
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  const worker = spawnZupy(['worker'], { ...env, ZUPY_ALLOW_PRIVATE_NETWORK: '1' });
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMb(worker.pid) ?? 0);
  }, 100);
  // Start the clock at the first delivery (the worker process needs a moment to start).
  while ((await receiver.count()) === 0) await sleep(20);
  const startCount = await receiver.count();
  const started = performance.now();
  // Until the window closes, or the backlog is gone (then the rate is over the time it took).
  let sent = 0;
  let seconds = 0;
  while (performance.now() - started < windowSeconds * 1000) {
    await sleep(20);
    const total = (await receiver.count()) - startCount;
    if (total > sent) {
      sent = total;
      seconds = (performance.now() - started) / 1000;
    }
    if (sent + startCount >= pending) break;
  }
  clearInterval(sampler);
  peakRss = Math.max(peakRss, rssMb(worker.pid) ?? 0);
  worker.kill('SIGKILL');
  return {
    pending,
    drained: sent,
    seconds,
    per_second: sent / seconds,
    peak_rss_mb: Math.round(peakRss),
    fill_seconds: fillSeconds,
  };
}

/** Client load against an HTTP API: `concurrency` requests in flight for `seconds`, or `total` requests. */
async function blast(url, path, makeBody, { concurrency = 32, seconds, total, headers = {} }) {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections: concurrency });
  let i = 0;
  let ok = 0;
  const responses = [];
  const deadline = seconds ? performance.now() + seconds * 1000 : Infinity;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline && (total === undefined || i < total)) {
        const n = i++;
        const body = makeBody(n);
        const res = await pool.request({
          path,
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
        const text = await res.body.text();
        if (res.statusCode < 300) ok++;
        responses.push({ n, at: performance.timeOrigin + performance.now(), status: res.statusCode, text });
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return { ok, seconds: elapsed, per_second: ok / elapsed, responses };
}

const phone = (n) => `11 9${String(n).padStart(8, '0').slice(0, 4)}-${String(n).padStart(8, '0').slice(4)}`;

/**
 * End to end, against `zupy serve` (API and worker in one process, as the quick start runs it), on
 * SQLite or, with `pgAdminUrl`, on a new database of that PostgreSQL. Latency at each of `rates`.
 */
export async function endToEnd(
  receiverRecording,
  ceilingPerSecond,
  { nodeArgs = [], pgAdminUrl, rates = [200, 1000], cli } = {},
) {
  const dir = tempDir('e2e');
  const env = {
    ZUPY_DATA_DIR: dir,
    ZUPY_LOG_LEVEL: 'error',
    ZUPY_RATE_LIMIT: '1000000',
    ZUPY_ALLOW_PRIVATE_NETWORK: '1',
    ...(pgAdminUrl ? { ZUPY_DATABASE_URL: await freshPgDatabase(pgAdminUrl, 'e2e') } : {}),
  };
  const key = await benchCompany(env, receiverRecording.url);
  const { child: server, url } = await startZupyServe(env, ['serve'], nodeArgs, cli);
  const headers = { 'x-api-key': key };
  // Throughput: 4,000 registrations, 32 in flight, until every webhook has arrived.
  await receiverRecording.reset();
  const total = 4000;
  const t0 = performance.now();
  const sent = await blast(url, '/api/v2/customers/', registration, { total, headers });
  const e2eSeconds = await waitForCount(receiverRecording, total, t0);
  // Latency at fixed rates: API answer → receiver arrival.
  const latency = {};
  let offset = 10_000;
  for (const rate of rates) {
    await receiverRecording.reset();
    const count = rate * 5;
    const answered = new Map();
    const pool = new Pool(new URL(url).origin, { connections: 64 });
    const start = performance.now();
    const inflight = [];
    for (let i = 0; i < count; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const n = offset + i;
      inflight.push(
        pool
          .request({
            path: '/api/v2/customers/',
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify({ phone: phone(n), name: `L ${n}` }),
          })
          .then(async (res) => {
            const text = await res.body.text();
            const member = /"member_id":"(ZP-[0-9A-F]{8})"/.exec(text)?.[1];
            if (member) answered.set(member, performance.timeOrigin + performance.now());
          }),
      );
    }
    await Promise.all(inflight);
    const achieved = count / ((performance.now() - start) / 1000);
    // A rate the server cannot carry leaves some undelivered after a minute: measured, not fatal.
    await waitForCount(receiverRecording, count, performance.now(), 60_000).catch(() => undefined);
    const arrivals = await receiverRecording.arrivals();
    const gaps = [...answered].map(([member, at]) => arrivals[member] - at).filter((v) => Number.isFinite(v));
    latency[rate] = {
      achieved_rate: achieved,
      p50_ms: percentile(gaps, 0.5),
      p99_ms: percentile(gaps, 0.99),
      samples: gaps.length,
      carried: gaps.length / count,
    };
    await pool.close();
    offset += count;
  }
  server.kill('SIGTERM');
  return {
    end_to_end: {
      events: total,
      seconds: e2eSeconds,
      per_second: total / e2eSeconds,
      ratio_to_ceiling: total / e2eSeconds / ceilingPerSecond,
      api_per_second: sent.per_second,
    },
    latency,
  };
}

/** A company with an API key and one endpoint (so each registration also writes its delivery). */
async function benchCompany(env, endpointUrl) {
  const { runtime } = await setup(env);
  const company = await createCompany(runtime.ctx.db, { name: 'Bench API' }, new Date());
  await createEndpoint(runtime.ctx, company.company_id, { url: endpointUrl });
  await runtime.close();
  return company.api_key;
}

const registration = (n) => ({ phone: phone(n), name: `Bench ${n}` });

/**
 * Ingest: registrations/s through the API alone (`zupy serve --no-worker`: validation, matching, the
 * ledger and the outbox, every answer durable), against a bare Fastify route inserting one row into
 * SQLite with a sync per commit, both driven by the same client. The two take turns, `rounds` times
 * each with `total` registrations. The first round of each warms up (JIT, page cache) and is not
 * counted; each side's figure is the median of the rest: on a shared machine a neighbour's burst
 * lands on one side only, and a best-of was at the mercy of the bare route's luckiest round (its
 * warm rounds ranged 4.5k–8.3k/s). `nodeArgs` (e.g. `--cpu-prof`) go to the server's node.
 *
 * `pgAdminUrl`: a third side takes its turn in each round, `zupy serve --no-worker` on a new
 * database of that PostgreSQL (`zupy_postgres_*`, and its ratio to SQLite's). `only: 'postgres'`
 * leaves out the SQLite side (profiling PostgreSQL alone). `cli`: another build of zupy (its
 * `dist/cli/main.js`) for the Zupy sides, to compare builds.
 */
export async function ingest(total, { rounds = 4, nodeArgs = [], pgAdminUrl, only, cli } = {}) {
  const sides = [];
  const start = async (name, env) => {
    const key = await benchCompany(env, 'https://receiver.example/hooks');
    const { child, url } = await startZupyServe(env, ['serve', '--no-worker'], nodeArgs, cli);
    sides.push({ name, url, path: '/api/v2/customers/', headers: { 'x-api-key': key }, child, runs: [] });
  };
  const base = { ZUPY_LOG_LEVEL: 'error', ZUPY_RATE_LIMIT: '1000000' };
  if (only !== 'postgres') await start('zupy', { ...base, ZUPY_DATA_DIR: tempDir('ingest') });
  if (pgAdminUrl) {
    const databaseUrl = await freshPgDatabase(pgAdminUrl, 'ingest');
    await start('zupy_postgres', {
      ...base,
      ZUPY_DATA_DIR: tempDir('ingest-pg'),
      ZUPY_DATABASE_URL: databaseUrl,
    });
  }
  const bare = await startChild(path.join(ROOT, 'bench/bare-server.mjs'), [tempDir('bare')]);
  sides.push({ name: 'bare', url: bare.first.url, path: '/customers/', headers: {}, runs: [] });
  for (let round = 0; round < rounds; round++) {
    for (const [i, side] of sides.entries()) {
      // Each round registers new people (no matching), from where the last round stopped.
      const numbered = (n) => registration(((round * sides.length + i) * total + n) % 90_000_000);
      side.runs.push(await blast(side.url, side.path, numbered, { total, headers: side.headers }));
    }
  }
  for (const side of sides) {
    if (side.child === undefined) continue;
    await new Promise((resolve) => {
      side.child.once('exit', resolve);
      side.child.kill('SIGINT');
    });
  }
  bare.child.kill();
  const warm = (runs) => (runs.length > 1 ? runs.slice(1) : runs).map((r) => r.per_second);
  const result = { registrations: total, rounds };
  for (const side of sides) {
    // The median (of 3 warm rounds by default; the lower middle one of an even count).
    result[`${side.name}_per_second`] = percentile(warm(side.runs), 0.5);
    result[`${side.name}_rounds`] = side.runs.map((r) => Math.round(r.per_second));
    if (side.name !== 'bare')
      result[`${side.name}_errors`] = side.runs.reduce((sum, r) => sum + total - r.ok, 0);
  }
  if (result.zupy_per_second !== undefined) result.ratio = result.zupy_per_second / result.bare_per_second;
  if (result.zupy_postgres_per_second !== undefined) {
    result.postgres_ratio_to_bare = result.zupy_postgres_per_second / result.bare_per_second;
    if (result.zupy_per_second !== undefined)
      result.postgres_ratio_to_sqlite = result.zupy_postgres_per_second / result.zupy_per_second;
  }
  return result;
}

export { ask };

/**
 * Partner batches: orders/s through the partner inbox, end to end: bodies of 100 Repediu sales (new
 * customers, so each order also enrolls one) POSTed to `zupy serve` (4 in flight, each answered 202
 * once stored), until the worker's inbox processor has processed every body. Compared with the
 * registration ingest of the same run, the closest thing it does per order.
 */
export async function partnerBatches(orders) {
  const env = { ZUPY_DATA_DIR: tempDir('partner'), ZUPY_LOG_LEVEL: 'error', ZUPY_RATE_LIMIT: '1000000' };
  const { runtime } = await setup(env);
  const company = await createCompany(runtime.ctx.db, { name: 'Bench partner' }, new Date());
  await runtime.close();
  const { child: server, url } = await startZupyServe(env, ['serve']);
  const headers = { 'x-api-key': company.api_key, 'content-type': 'application/json' };
  const bodies = Math.ceil(orders / 100);
  const body = (b) =>
    JSON.stringify(
      Array.from({ length: 100 }, (_, i) => ({
        cliente: `Bench ${b}-${i}`,
        Celular: phone(5_000_000 + b * 100 + i),
        Valor: '89,90',
        id_venda: `B${b}-${i}`,
        DataVenda: '2025-08-29 12:00',
      })),
    );
  const started = performance.now();
  const ids = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < bodies) {
        const b = next++;
        const res = await fetch(`${url}/api/v2/webhooks/integrations/repediu/`, {
          method: 'POST',
          headers,
          body: body(b),
        });
        ids.push((await res.json()).id);
      }
    }),
  );
  const answered = (performance.now() - started) / 1000;
  for (;;) {
    let pending = 0;
    let cursor = '';
    do {
      const res = await fetch(`${url}/api/v2/webhooks/integrations/inbox/?page_size=100${cursor}`, {
        headers,
      });
      const page = await res.json();
      pending += page.data.filter((e) => e.status === 'pending').length;
      cursor = page.meta.cursor ? `&cursor=${page.meta.cursor}` : '';
    } while (cursor);
    if (pending === 0) break;
    await sleep(100);
  }
  const elapsed = (performance.now() - started) / 1000;
  await new Promise((resolve) => {
    server.once('exit', resolve);
    server.kill('SIGINT');
  });
  return {
    orders: bodies * 100,
    bodies,
    answered_per_second: (bodies * 100) / answered,
    per_second: (bodies * 100) / elapsed,
  };
}
