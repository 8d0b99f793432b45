// `npm run soak`: a bounded soak on 127.0.0.1. `zupy serve` takes registrations and points at a
// steady rate for a few minutes while delivering to three receivers: healthy, flaky (every other
// answer a 500) and dead (never answers). Every 10 s it samples the server's RSS and the pending
// deliveries per endpoint, then judges:
//   - memory is flat: the peak RSS of the last third is within 25 % of the second third's;
//   - the healthy endpoint keeps up: its backlog never exceeds 5 s of traffic;
//   - the flaky endpoint's backlog levels off (retries converge): its last third is within 50 % of
//     the second third's, plus 5 s of traffic;
//   - the API never answers 5xx.
// The dead endpoint's backlog grows by design (its deliveries wait for retries); it is reported.
// Options: --minutes N (default 3), --rate N requests/s (default 40), --postgres.
// Writes bench/results/soak.md and soak.json; exits 1 when a judgement fails.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { openDatabase } from '../packages/server/dist/db/database.js';
import { CLI, ROOT, rssMb, sleep, startPostgres, startReceiver, startZupyServe, tempDir } from './lib.mjs';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    rate: { type: 'string', default: '40' },
    postgres: { type: 'boolean', default: false },
  },
});
const MINUTES = Number(args.minutes);
const RATE = Number(args.rate);
if (!(MINUTES > 0 && MINUTES <= 30) || !(RATE > 0 && RATE <= 1000))
  throw new Error('--minutes must be in (0, 30] and --rate in (0, 1000]');
const SAMPLE_MS = 10_000;

const dataDir = tempDir('soak');
const postgres = args.postgres ? await startPostgres() : null;
const env = {
  ...process.env,
  ZUPY_DATA_DIR: dataDir,
  ...(postgres ? { ZUPY_DATABASE_URL: postgres.url } : {}),
  ZUPY_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  ZUPY_ALLOW_PRIVATE_NETWORK: '1',
  ZUPY_DELIVERY_TIMEOUT: '2s',
  ZUPY_RETRY_SCHEDULE: '0s,1s,5s,10s,30s,1m',
  ZUPY_RATE_LIMIT: '1000000',
  ZUPY_LOG_LEVEL: 'warn',
  ZUPY_PORT: '0',
};
const cli = (...cliArgs) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...cliArgs], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`zupy ${cliArgs[0]}: ${code}`)),
    );
  });

const receivers = {
  healthy: await startReceiver(),
  flaky: await startReceiver(['--flaky']),
  dead: await startReceiver(['--hang']),
};
const { api_key: apiKey } = JSON.parse(await cli('company', 'create', '--name', 'Soak', '--json'));
const { child: server, url } = await startZupyServe(env);
const pool = new Pool(url, { connections: 16 });
const call = async (method, p, body) => {
  const res = await pool.request({
    path: `/api/v2${p}`,
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
};
const endpointIds = {};
for (const [name, receiver] of Object.entries(receivers)) {
  const res = await call('POST', '/webhooks/endpoints/', { url: receiver.url, description: name });
  if (res.status !== 201) throw new Error(`endpoint ${name}: ${res.status}`);
  endpointIds[name] = res.body.id;
}

const database = openDatabase({ dataDir, databaseUrl: postgres?.url });
async function pendingByEndpoint() {
  const rows = await database.db
    .selectFrom('deliveries')
    .select(['endpoint_id', (eb) => eb.fn.countAll().as('n')])
    .where('status', '=', 'pending')
    .groupBy('endpoint_id')
    .execute();
  const counts = Object.fromEntries(rows.map((r) => [r.endpoint_id, Number(r.n)]));
  return Object.fromEntries(Object.entries(endpointIds).map(([name, id]) => [name, counts[id] ?? 0]));
}

// Steady load: RATE operations a second, half registrations, half points for an enrolled customer.
const statuses = {};
const members = [];
let operations = 0;
const started = performance.now();
const deadline = started + MINUTES * 60_000;
const samples = [];
const inFlight = new Set();
const sampler = (async () => {
  while (performance.now() < deadline) {
    await sleep(SAMPLE_MS);
    samples.push({
      at_s: Math.round((performance.now() - started) / 1000),
      rss_mb: Math.round(rssMb(server.pid) ?? 0),
      pending: await pendingByEndpoint(),
      operations,
    });
    console.log(JSON.stringify(samples.at(-1)));
  }
})();
while (performance.now() < deadline) {
  const n = operations++;
  const op =
    n % 2 === 0 || members.length === 0
      ? call('POST', '/customers/', {
          phone: `+55119${String(10_000_000 + n).slice(-8)}`,
          name: `Soak ${n}`,
        }).then((res) => {
          if (res.status === 201) members.push(res.body.customer.member_id);
          return res;
        })
      : call('POST', `/customers/${members[n % members.length]}/points/add/`, {
          amount: 37,
          order_value: 12.5,
        });
  const tracked = op
    .then((res) => (statuses[res.status] = (statuses[res.status] ?? 0) + 1))
    .catch(() => (statuses.error = (statuses.error ?? 0) + 1))
    .finally(() => inFlight.delete(tracked));
  inFlight.add(tracked);
  const due = started + (operations * 1000) / RATE;
  await sleep(Math.max(0, due - performance.now()));
}
await Promise.all(inFlight);
await sampler;

server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
await database.close();
await pool.close();
for (const receiver of Object.values(receivers)) receiver.stop();
await postgres?.stop();
fs.rmSync(dataDir, { recursive: true, force: true });

// Judgements, over the samples after the first third (warm-up) split in two halves.
const third = Math.max(1, Math.floor(samples.length / 3));
const middle = samples.slice(third, 2 * third);
const last = samples.slice(2 * third);
const peak = (list, f) => Math.max(...list.map(f));
const mean = (list, f) => list.reduce((s, x) => s + f(x), 0) / list.length;
const budget = RATE * 5;
const checks = [
  {
    name: 'memory is flat',
    detail: `peak RSS ${peak(middle, (s) => s.rss_mb)} MB → ${peak(last, (s) => s.rss_mb)} MB`,
    ok: peak(last, (s) => s.rss_mb) <= 1.25 * peak(middle, (s) => s.rss_mb),
  },
  {
    name: 'the healthy endpoint keeps up',
    detail: `peak backlog ${peak(samples, (s) => s.pending.healthy)} (budget ${budget}: 5 s of traffic)`,
    ok: peak(samples, (s) => s.pending.healthy) <= budget,
  },
  {
    name: 'the flaky endpoint’s backlog levels off',
    detail: `mean backlog ${Math.round(mean(middle, (s) => s.pending.flaky))} → ${Math.round(mean(last, (s) => s.pending.flaky))}`,
    ok: mean(last, (s) => s.pending.flaky) <= 1.5 * mean(middle, (s) => s.pending.flaky) + budget,
  },
  {
    name: 'the API never answers 5xx',
    detail: JSON.stringify(statuses),
    ok: Object.keys(statuses).every((s) => s !== 'error' && Number(s) < 500),
  },
];
const result = {
  minutes: MINUTES,
  rate_per_second: RATE,
  database: postgres ? 'postgres' : 'sqlite',
  operations,
  statuses,
  samples,
  dead_endpoint_backlog_at_end: samples.at(-1)?.pending.dead,
  checks,
};
const lines = [
  `# Soak: ${MINUTES} min at ${RATE} operations/s on ${result.database}`,
  '',
  'Registrations and points through `zupy serve`, delivering to a healthy, a flaky (every other answer 500)',
  'and a dead (never answers) receiver. Method and judgements: the header of `bench/soak.mjs`.',
  '',
  '| check | result | |',
  '|---|---|---|',
  ...checks.map((c) => `| ${c.name} | ${c.detail} | ${c.ok ? 'pass' : '**FAIL**'} |`),
  '',
  `The dead endpoint's backlog at the end: ${result.dead_endpoint_backlog_at_end} (grows by design: its deliveries wait for retries).`,
  '',
  '| at (s) | RSS (MB) | pending healthy | pending flaky | pending dead | operations |',
  '|---|---|---|---|---|---|',
  ...samples.map(
    (s) =>
      `| ${s.at_s} | ${s.rss_mb} | ${s.pending.healthy} | ${s.pending.flaky} | ${s.pending.dead} | ${s.operations} |`,
  ),
  '',
];
fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench/results/soak.json'), JSON.stringify(result, null, 2) + '\n');
fs.writeFileSync(path.join(ROOT, 'bench/results/soak.md'), lines.join('\n'));
console.log(lines.join('\n'));
process.exit(checks.every((c) => c.ok) ? 0 : 1);
