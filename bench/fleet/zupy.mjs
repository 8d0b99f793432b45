// Zupy in the fleet, on SQLite, with the bench's CA (ZUPY_EXTRA_CA_FILE) and private addresses allowed
// (the fleet is on 127.0.0.1). Two layouts: `split` — `zupy serve --no-worker` for the API and one
// `zupy worker` process sending (its /metrics on a port of its own) — and `serve` — `zupy serve`, API
// and worker in one process (the default). 20 companies of 10 endpoints each (a company may have at
// most 10), every endpoint subscribed to every event; the load is registrations of new people, each
// writing one delivery per endpoint of its company.
import net from 'node:net';
import { createCompany } from '../../packages/server/dist/companies/create-company.js';
import { loadConfig } from '../../packages/server/dist/config.js';
import { startRuntime } from '../../packages/server/dist/app/runtime.js';
import { createEndpoint } from '../../packages/server/dist/webhooks/endpoint-store.js';
import { sleep, spawnZupy, startZupyServe, tempDir } from '../lib.mjs';
import { registrationBody } from '../peers/load.mjs';
import { eventLoad } from './load.mjs';

const memberOf = (_, text) => /"member_id":"(ZP-[0-9A-F]{8})"/.exec(text)?.[1] ?? null;

export const LAYOUTS = {
  zupy: { name: 'Zupy SQLite (API + 1 worker process)', split: true },
  zupy_serve: { name: 'Zupy SQLite (zupy serve: one process)', split: false },
  // The CA given to Node (NODE_EXTRA_CA_CERTS) instead of ZUPY_EXTRA_CA_FILE: undici's default TLS
  // options, without the `ca` list that makes each new connection parse every root certificate.
  zupy_node_ca: {
    name: 'Zupy SQLite (API + 1 worker, CA via NODE_EXTRA_CA_CERTS)',
    split: true,
    nodeCa: true,
  },
};

export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function stopChild(child, signal = 'SIGINT') {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/**
 * Sets up Zupy for `companies` (arrays of endpoint URLs) and starts it; returns { pid (the sending
 * process), apiPid, endpointIds (url → id), run(rate, seconds, base), metrics() → text, stop() }.
 */
export async function start({ companies, caFile, extraEnv = {}, split = true, nodeCa = false }) {
  const env = {
    ZUPY_DATA_DIR: tempDir('fleet-zupy'),
    ZUPY_LOG_LEVEL: 'error',
    ZUPY_RATE_LIMIT: '1000000',
    ZUPY_ALLOW_PRIVATE_NETWORK: '1',
    ...(nodeCa ? { NODE_EXTRA_CA_CERTS: caFile } : { ZUPY_EXTRA_CA_FILE: caFile }),
    ...extraEnv,
  };
  const runtime = await startRuntime(loadConfig({ ...env, ZUPY_LOG_LEVEL: 'silent' }));
  const keys = [];
  const endpointIds = {};
  for (const [c, urls] of companies.entries()) {
    const created = await createCompany(runtime.ctx.db, { name: `Fleet ${c}` }, new Date());
    for (const url of urls)
      endpointIds[url] = (await createEndpoint(runtime.ctx, created.company_id, { url })).id;
    keys.push(created.api_key);
  }
  await runtime.close();
  const { child: api, url } = await startZupyServe(env, split ? ['serve', '--no-worker'] : ['serve']);
  let worker = null;
  let metricsUrl = `${url}/metrics`;
  if (split) {
    const port = await freePort();
    worker = spawnZupy(['worker'], { ...env, ZUPY_PORT: String(port) });
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    for (let i = 0; i < 100; i++) {
      if (worker.exitCode !== null) throw new Error(`zupy worker exited with ${worker.exitCode}`);
      if (
        await fetch(metricsUrl).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await sleep(100);
    }
  }
  return {
    pid: (worker ?? api).pid,
    apiPid: api.pid,
    env,
    endpointIds,
    async run(rate, seconds, base = 0) {
      return eventLoad(
        url,
        (i) => ({
          path: '/api/v2/customers/',
          headers: { 'x-api-key': keys[i % keys.length] },
          body: registrationBody(base + i),
        }),
        memberOf,
        { rate, seconds },
      );
    },
    async metrics() {
      try {
        const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) });
        return await res.text();
      } catch {
        return '';
      }
    },
    async stop() {
      if (worker) await stopChild(worker);
      await stopChild(api);
    },
  };
}
