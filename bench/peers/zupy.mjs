// Zupy in the peers' comparison, on SQLite and on PostgreSQL, through the same scenarios as the
// peers: the drains are scenarios.mjs's own (SQLite: the in-process worker; PostgreSQL: one `zupy
// worker` process); the API alone is `zupy serve --no-worker` and end to end `zupy serve`, driven by
// the peers' clients (load.mjs) with registrations of new people.
import { createCompany } from '../../packages/server/dist/companies/create-company.js';
import { loadConfig } from '../../packages/server/dist/config.js';
import { startRuntime } from '../../packages/server/dist/app/runtime.js';
import { createEndpoint } from '../../packages/server/dist/webhooks/endpoint-store.js';
import { startZupyServe, tempDir } from '../lib.mjs';
import { drainPostgres, drainSqlite } from '../scenarios.mjs';
import { closedLoop, cpuMicros, registrationBody, treeCpuMicros } from './load.mjs';
import { latencyAt, throughputWithCpu } from './peer-scenarios.mjs';
import { freshDatabase } from './postgres.mjs';
import { openLoop } from './load.mjs';

const PATH = '/api/v2/customers/';
const memberOf = (_, text) => /"member_id":"(ZP-[0-9A-F]{8})"/.exec(text)?.[1] ?? null;

async function environment(database, ctx) {
  const env = {
    ZUPY_DATA_DIR: tempDir('peers-zupy'),
    ZUPY_LOG_LEVEL: 'error',
    ZUPY_RATE_LIMIT: '1000000',
    ZUPY_ALLOW_PRIVATE_NETWORK: '1',
  };
  if (database === 'postgres') {
    env.ZUPY_DATABASE_URL = await freshDatabase(ctx.pg.url, 'zupy');
    env.ZUPY_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
  }
  return env;
}

/** A company with an API key and one endpoint (each registration also writes its delivery). */
async function company(env, endpointUrl) {
  const runtime = await startRuntime(loadConfig({ ...env, ZUPY_LOG_LEVEL: 'silent' }));
  const created = await createCompany(runtime.ctx.db, { name: 'Peers bench' }, new Date());
  await createEndpoint(runtime.ctx, created.company_id, { url: endpointUrl });
  await runtime.close();
  return created.api_key;
}

async function stopServe(child) {
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGINT');
  });
}

function zupy(database) {
  return {
    name: database === 'postgres' ? 'Zupy PostgreSQL' : 'Zupy SQLite',
    async drain(ctx, receiver, n) {
      return database === 'postgres' ? drainPostgres(receiver, ctx.pg.url, n, 1) : drainSqlite(receiver, n);
    },
    async enqueueRate(ctx, total) {
      const env = await environment(database, ctx);
      const key = await company(env, 'https://receiver.example/hooks');
      const { child, url } = await startZupyServe(env, ['serve', '--no-worker']);
      try {
        const r = await closedLoop(url, PATH, registrationBody, { total, headers: { 'x-api-key': key } });
        return { total, errors: r.errors, per_second: r.per_second };
      } finally {
        await stopServe(child);
      }
    },
    async endToEnd(ctx, recording, total, rates, seconds) {
      const env = await environment(database, ctx);
      const key = await company(env, recording.url);
      const headers = { 'x-api-key': key };
      const { child, url } = await startZupyServe(env, ['serve']);
      const cpu = () => ({
        node: cpuMicros(child.pid),
        db: database === 'postgres' ? treeCpuMicros(ctx.pg.pid) : 0,
      });
      try {
        const e2e = await throughputWithCpu(
          recording,
          total,
          (count) => closedLoop(url, PATH, registrationBody, { total: count, headers }),
          cpu,
        );
        let base = 1_000_000;
        const latency = await latencyAt(recording, rates, seconds, (rate, secs) => {
          const from = (base += 1_000_000);
          return openLoop(url, PATH, (i) => registrationBody(from + i), memberOf, {
            rate,
            seconds: secs,
            headers,
          });
        });
        return { end_to_end: e2e, latency };
      } finally {
        await stopServe(child);
      }
    },
  };
}

export const zupySqlite = zupy('sqlite');
export const zupyPostgres = zupy('postgres');
