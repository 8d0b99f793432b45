// The peers in the fleet: BullMQ (Redis started here, redis.mjs) and pg-boss (the run's PostgreSQL,
// fsync on, a fresh database), each in its own process (peer-child.mjs) with its event route and its
// worker, driven by the same event load as Zupy.
import { fork } from 'node:child_process';
import { memberBody, memberId } from '../peers/load.mjs';
import { startRedis } from '../peers/redis.mjs';
import { freshDatabase } from '../peers/postgres.mjs';
import { eventLoad } from './load.mjs';
import * as bullmq from './bullmq.mjs';
import * as pgBoss from './pg-boss.mjs';

const SCRIPT = new URL('./peer-child.mjs', import.meta.url).pathname;

export const PEERS = {
  bullmq: {
    name: 'BullMQ + Redis (AOF everysec)',
    settings: `one Worker, concurrency ${bullmq.CONCURRENCY}; 5 attempts, exponential backoff from 1 s`,
  },
  pg_boss: {
    name: 'pg-boss (PostgreSQL, fsync on)',
    settings: `${pgBoss.WORKERS} work() workers × batchSize ${pgBoss.BATCH} (${pgBoss.WORKERS * pgBoss.BATCH} in flight), failed jobs failed one by one; 5 retries, backoff from 1 s`,
  },
};

/** Starts peer `key` for `companies` (endpoint URLs per company); the same shape as zupy.mjs's start. */
export async function startPeer(key, { companies, caFile, pg }) {
  const options = { peer: key === 'bullmq' ? 'bullmq' : 'pg-boss', companies };
  let stopDb = async () => undefined;
  if (key === 'bullmq') {
    const redis = await startRedis();
    options.redisPort = redis.port;
    stopDb = redis.stop;
  } else {
    options.pgUrl = await freshDatabase(pg.url, 'fleet');
  }
  const child = fork(SCRIPT, [JSON.stringify(options)], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const first = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${SCRIPT} (${key}) exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${first.port}`;
  return {
    pid: child.pid,
    async run(rate, seconds, base = 0) {
      return eventLoad(
        url,
        (i) => ({
          path: '/event',
          headers: { 'x-company': String(i % companies.length) },
          body: memberBody(base + i),
        }),
        (i) => memberId(base + i),
        { rate, seconds },
      );
    },
    metrics: async () => '',
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.send('stop');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await stopDb();
    },
  };
}
