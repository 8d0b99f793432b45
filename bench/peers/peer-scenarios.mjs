// The scenarios every peer runs, the same for each (and zupy.mjs runs the same for Zupy): drain of a
// backlog, the enqueue route alone, and end to end with its CPU and the latency at fixed rates. A peer
// runs in its own process (child.mjs), its database in another (Redis, PostgreSQL) or inside it
// (SQLite), so CPU is attributable.
import { fork } from 'node:child_process';
import { ask, tempDir, waitForCount, waitForDrain, percentile } from '../lib.mjs';
import { closedLoop, cpuMicros, memberBody, memberId, openLoop, treeCpuMicros } from './load.mjs';
import { startRedis } from './redis.mjs';
import { freshDatabase } from './postgres.mjs';

/**
 * `ctx`: { pg: { url, pid } } — the bench's PostgreSQL (its postmaster's pid, for CPU).
 * Returns the peer's process, its route's URL, the database's CPU reader and a stop.
 */
async function startPeer(script, database, ctx, receiverUrl) {
  const options = { receiverUrl };
  let db = { cpu: () => 0, stop: async () => undefined };
  if (database === 'dir') options.dir = tempDir('peer');
  if (database === 'redis') {
    const redis = await startRedis();
    options.redisPort = redis.port;
    db = { cpu: () => cpuMicros(redis.pid), stop: redis.stop };
  }
  if (database === 'postgres') {
    options.pgUrl = await freshDatabase(ctx.pg.url, 'peer');
    db.cpu = () => treeCpuMicros(ctx.pg.pid);
  }
  const child = fork(script, [JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const first = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return {
    child,
    url: `http://127.0.0.1:${first.port}`,
    cpu: () => ({ node: cpuMicros(child.pid), db: db.cpu() }),
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      await db.stop();
    },
  };
}

/**
 * Latency at fixed offered rates, against a running system: answer → receipt at the recording
 * receiver, by member id. A rate the system cannot carry is measured (the share that arrived within
 * 30 s after the last request), not fatal.
 */
export async function latencyAt(recording, rates, seconds, post) {
  const latency = {};
  for (const rate of rates) {
    await recording.reset();
    const run = await post(rate, seconds);
    let carried = 1;
    try {
      await waitForCount(recording, run.count, performance.now(), 30_000);
    } catch {
      carried = (await recording.count()) / run.count;
    }
    const arrivals = await recording.arrivals();
    const gaps = [...run.answered]
      .map(([member, at]) => arrivals[member] - at)
      .filter((v) => Number.isFinite(v));
    latency[rate] = {
      offered: rate,
      achieved_rate: run.achieved,
      carried,
      errors: run.errors,
      p50_ms: percentile(gaps, 0.5),
      p99_ms: percentile(gaps, 0.99),
      samples: gaps.length,
    };
  }
  return latency;
}

/** End to end with 32 clients: `total` posts until every one arrived; CPU per event over that span. */
export async function throughputWithCpu(recording, total, post, cpu) {
  await recording.reset();
  const before = cpu();
  const started = performance.now();
  const answered = await post(total);
  const seconds = await waitForCount(recording, total, started);
  const after = cpu();
  return {
    events: total,
    seconds,
    per_second: total / seconds,
    api_per_second: answered.per_second,
    cpu_us_per_event: {
      node: (after.node - before.node) / total,
      db: (after.db - before.db) / total,
    },
  };
}

export function peerScenarios(name, script, { database }) {
  return {
    /** Drain: `n` jobs queued in bulk before the worker starts; deliveries/s first arrival to last. */
    async drain(ctx, receiver, n) {
      await receiver.reset();
      const peer = await startPeer(script, database, ctx, receiver.url);
      try {
        await ask(peer.child, { fill: { from: 0, n } });
        await ask(peer.child, 'work');
        return await waitForDrain(receiver, n);
      } finally {
        await peer.stop();
      }
    },
    /** The enqueue route alone (no worker): `total` enqueues, 32 clients. */
    async enqueueRate(ctx, total) {
      const peer = await startPeer(script, database, ctx, 'http://127.0.0.1:9/');
      try {
        const r = await closedLoop(peer.url, '/enqueue', memberBody, { total });
        return { total, errors: r.errors, per_second: r.per_second };
      } finally {
        await peer.stop();
      }
    },
    /** End to end (route and worker in one process, 32 clients), then latency at `rates`. */
    async endToEnd(ctx, recording, total, rates, seconds) {
      const peer = await startPeer(script, database, ctx, recording.url);
      try {
        await ask(peer.child, 'work');
        const e2e = await throughputWithCpu(
          recording,
          total,
          (count) => closedLoop(peer.url, '/enqueue', memberBody, { total: count }),
          peer.cpu,
        );
        let base = 1_000_000;
        const latency = await latencyAt(recording, rates, seconds, (rate, secs) => {
          const from = (base += 1_000_000);
          return openLoop(
            peer.url,
            '/enqueue',
            (i) => memberBody(from + i),
            (i) => memberId(from + i),
            { rate, seconds: secs },
          );
        });
        return { end_to_end: e2e, latency };
      } finally {
        await peer.stop();
      }
    },
    name,
  };
}
