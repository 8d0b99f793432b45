import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { onPostgres } from './helpers/test-database.js';
import { JOAO, startTestServer, tempDir, type TestServer } from './helpers/test-server.js';

const servers: TestServer[] = [];
let receiver: Receiver;
afterEach(async () => {
  await receiver?.close();
  for (const s of servers.splice(0).reverse()) await s.close();
});

// Polling every minute: only a wake-up can explain a delivery within seconds.
const SLOW_POLL = { pollMs: 60_000 };
/**
 * How long a worker takes to finish its start-up claim and sleep until its next poll (a minute
 * away). Not observable from outside; several times what that first claim takes here. If it were
 * too short the test would still pass (the first claim would find the event), so it errs long.
 */
const LET_THE_WORKER_FALL_ASLEEP_MS = 500;
const fallAsleep = () => new Promise((r) => setTimeout(r, LET_THE_WORKER_FALL_ASLEEP_MS));

describe('new events wake the worker at once; polling is only the fallback', () => {
  it('in one process', async () => {
    receiver = await startReceiver();
    const server = await startTestServer({ worker: SLOW_POLL });
    servers.push(server);
    await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url });
    await fallAsleep();
    await server.api.post('/api/v2/customers/', JOAO);
    await receiver.waitFor(1, 5000);
  });

  it(
    onPostgres
      ? 'across processes, through LISTEN/NOTIFY'
      : 'across processes on one SQLite file, through data_version',
    async () => {
      receiver = await startReceiver();
      const dataDir = tempDir();
      // An API-only node and a worker-only node on one database (`zupy serve --no-worker` beside
      // `zupy worker`; on SQLite two connections to one file, as two processes have).
      const api = await startTestServer({ dataDir });
      servers.push(api);
      const worker = await startTestServer({ dataDir, databaseUrl: api.databaseUrl, worker: SLOW_POLL });
      servers.push(worker);
      await api.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url });
      await fallAsleep();
      await api.api.post('/api/v2/customers/', JOAO);
      const [request] = await receiver.waitFor(1, 5000);
      expect(request!.headers['x-zupy-event']).toBe('customer.registered');
    },
  );
});
