// node /tmp/pg-cpu.mjs <cli> [n] [sqlite]: CPU per registration of zupy serve --no-worker and of PostgreSQL's backends.
import fs from 'node:fs';
import { execSync } from 'node:child_process';
import { Pool } from 'undici';
import { startPostgres, freshPgDatabase, startZupyServe, tempDir } from './lib.mjs';
import { startRuntime } from '../packages/server/dist/app/runtime.js';
import { loadConfig } from '../packages/server/dist/config.js';
import { createCompany } from '../packages/server/dist/companies/create-company.js';
import { createEndpoint } from '../packages/server/dist/webhooks/endpoint-store.js';
const cli = process.argv[2];
const n = Number(process.argv[3] ?? 3000);
const sqlite = process.argv[4] === 'sqlite';
const tick = 100;
const cpuOf = (pid) => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / tick;
  } catch {
    return 0;
  }
};
const pgPids = () => execSync("pgrep -f 'postgres'").toString().trim().split('\n').map(Number);
const pg = sqlite ? null : await startPostgres();
const env = {
  ZUPY_DATA_DIR: tempDir('cpu'),
  ZUPY_LOG_LEVEL: 'error',
  ZUPY_RATE_LIMIT: '1000000',
  ...(pg ? { ZUPY_DATABASE_URL: await freshPgDatabase(pg.url, 'cpu') } : {}),
};
const runtime = await startRuntime(
  loadConfig({ ...env, ZUPY_LOG_LEVEL: 'silent', ZUPY_ALLOW_PRIVATE_NETWORK: '1' }),
);
const company = await createCompany(runtime.ctx.db, { name: 'CPU' }, new Date());
await createEndpoint(runtime.ctx, company.company_id, { url: 'https://receiver.example/hooks' });
await runtime.close();
const { child, url } = await startZupyServe(env, ['serve', '--no-worker'], [], cli);
const pool = new Pool(new URL(url).origin, { connections: 32 });
const phone = (k) => `11 9${String(k).padStart(8, '0').slice(0, 4)}-${String(k).padStart(8, '0').slice(4)}`;
async function blast(offset, total) {
  let i = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (i < total) {
        const k = offset + i++;
        const r = await pool.request({
          path: '/api/v2/customers/',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': company.api_key },
          body: JSON.stringify({ phone: phone(k), name: `C ${k}` }),
        });
        await r.body.text();
        if (r.statusCode !== 201) throw new Error(String(r.statusCode));
      }
    }),
  );
  return total / ((performance.now() - t) / 1000);
}
await blast(0, 1000);
const pids = pg ? pgPids() : [];
const before = { node: cpuOf(child.pid), pg: pids.reduce((s, p) => s + cpuOf(p), 0) };
// What PostgreSQL's backends of this database are doing, sampled every 5 ms during the run.
const waits = new Map();
let sampling = !!pg;
const sampler = pg
  ? (async () => {
      const { default: PG } = await import('pg');
      const c = new PG.Client({ connectionString: env.ZUPY_DATABASE_URL });
      await c.connect();
      while (sampling) {
        const { rows } = await c.query(
          `select coalesce(wait_event_type || ':' || wait_event, state) as w, left(query, 32) as q from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
        );
        for (const r of rows) {
          const k =
            r.w === 'idle'
              ? 'idle'
              : `${r.w} ${r.w.startsWith('Lock') || r.w.startsWith('IO') || r.w === 'active' ? r.q : ''}`;
          waits.set(k, (waits.get(k) ?? 0) + 1);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      await c.end();
    })()
  : null;
const rate = await blast(1000, n);
sampling = false;
await sampler;
const after = { node: cpuOf(child.pid), pg: pgPids().reduce((s, p) => s + cpuOf(p), 0) };
console.log(
  JSON.stringify({
    cli,
    sqlite,
    n,
    per_second: Math.round(rate),
    node_us: Math.round(((after.node - before.node) / n) * 1e6),
    pg_us: Math.round(((after.pg - before.pg) / n) * 1e6),
  }),
);
const samples = [...waits.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...waits].sort((a, b) => b[1] - a[1]).slice(0, 12))
  console.log(`${((v / samples) * 100).toFixed(1).padStart(5)} % of backend samples  ${k}`);
await pool.close();
child.kill('SIGINT');
await pg?.stop();
process.exit(0);
