import fs from 'node:fs';
import { sampleEvent } from '@zupy/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { runInTransaction } from '../src/db/transaction.js';
import { recordEvent } from '../src/events/record-event.js';
import { onPostgres } from './helpers/test-database.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { JOAO, makeClient, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await server?.close();
  await receiver?.close();
  server = receiver = undefined;
});

describe('the suite itself', () => {
  it('runs on the database its project names', async () => {
    server = await startTestServer();
    expect(server.runtime.database.dialect).toBe(onPostgres ? 'postgres' : 'sqlite');
  });
});

describe('operator endpoints and documentation', () => {
  it('serves /healthz, /readyz, the OpenAPI document and the reference page without a key', async () => {
    server = await startTestServer();
    const anon = makeClient(server.url, undefined);
    expect((await anon.get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await anon.get('/readyz')).body).toEqual({ status: 'ready' });
    const doc = await anon.get('/api/v2/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    for (const path of [
      '/api/v2/customers/',
      '/api/v2/customers/{member_id}/',
      '/api/v2/customers/{member_id}/points/add/',
      '/api/v2/customers/{member_id}/points/spend/',
      '/api/v2/customers/{member_id}/points/history/',
      '/api/v2/customers/{member_id}/tier/',
      '/api/v2/loyalty/program/',
      '/api/v2/events/',
    ]) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
    // The document is generated from the validating schemas: the body's required fields are there.
    const register = doc.body.paths['/api/v2/customers/'].post;
    expect(register.requestBody.content['application/json'].schema.required).toEqual(['name']);
    expect(doc.body.components.securitySchemes.ApiKey).toEqual({
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
    });
    const page = await fetch(`${server.url}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });

  it('answers 429 with Retry-After once a key spends its per-minute budget', async () => {
    server = await startTestServer({ env: { ZUPY_RATE_LIMIT: '3' } });
    const responses = [];
    for (let i = 0; i < 4; i++) responses.push(await server.api.get('/api/v2/customers/'));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    const limited = responses[3]!;
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.body).toMatchObject({ status: 429, type: expect.stringContaining('rate-limited') });
    // Another key of another company has its own budget.
    const other = await server.newCompany('Neighbour');
    expect((await other.api.get('/api/v2/customers/')).status).toBe(200);
  });

  it('limits API-key guessing per client address: 20 wrong keys a minute, then 429', async () => {
    server = await startTestServer();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const guess = makeClient(server.url, `zupy_pk_${String(i).padStart(32, '0')}`);
      statuses.push((await guess.get('/api/v2/customers/')).status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
    const blocked = await makeClient(server.url, 'zupy_pk_wrong').get('/api/v2/customers/');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // A valid key from the same address is still served (auth-guessing-api.test.ts has more).
    expect((await server.api.get('/api/v2/customers/')).status).toBe(200);
  });

  it('/metrics counts the queue and the failures from the log, and what this worker recorded', async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_RETRY_SCHEDULE: '0s,50ms' } });
    // The first customer's deliveries fail twice (for good); the second's succeed.
    let healthy = false;
    receiver = await startReceiver(() => ({ status: healthy ? 200 : 500 }));
    await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url });
    const anon = makeClient(server.url, undefined);
    const metrics = async () => {
      const res = await anon.get('/metrics');
      expect(res.headers.get('content-type')).toContain('text/plain');
      return Object.fromEntries(
        res.text
          .split('\n')
          .filter((line) => line !== '' && !line.startsWith('#'))
          .map((line) => [
            line.slice(0, line.lastIndexOf(' ')),
            Number(line.slice(line.lastIndexOf(' ') + 1)),
          ]),
      );
    };
    await server.api.post('/api/v2/customers/', JOAO);
    await receiver.waitFor(2);
    await expect.poll(async () => (await metrics())['zupy_deliveries{status="failed"}']).toBe(1);
    healthy = true;
    await server.api.post('/api/v2/customers/', {
      ...JOAO,
      phone: '(21) 98888-1234',
      cpf: undefined,
      email: undefined,
    });
    await receiver.waitFor(3);
    await expect
      .poll(async () => (await metrics())['zupy_delivery_attempts_total{result="succeeded"}'])
      .toBe(1);
    const zupySeries = async () =>
      Object.fromEntries(
        Object.entries(await metrics()).filter(([name]) =>
          /^zupy_(deliveries|delivery_attempts_total|worker_in_flight)\b/.test(name),
        ),
      );
    expect(await zupySeries()).toEqual({
      'zupy_deliveries{status="pending"}': 0,
      'zupy_deliveries{status="held"}': 0,
      'zupy_deliveries{status="failed"}': 1,
      'zupy_deliveries{status="discarded"}': 0,
      'zupy_delivery_attempts_total{result="succeeded"}': 1,
      'zupy_delivery_attempts_total{result="retrying"}': 1,
      'zupy_delivery_attempts_total{result="failed"}': 1,
      zupy_worker_in_flight: 0,
    });
    const all = await metrics();
    // Attempt duration and event-to-delivery lag, one observation per recorded attempt and result.
    for (const result of ['succeeded', 'retrying', 'failed']) {
      expect(all[`zupy_delivery_attempt_duration_seconds_count{result="${result}"}`], result).toBe(1);
      expect(all[`zupy_event_delivery_lag_seconds_count{result="${result}"}`], result).toBe(1);
    }
    // The failed delivery's lag spans its retry; the first try's lag is below it.
    expect(all['zupy_event_delivery_lag_seconds_sum{result="failed"}']).toBeGreaterThan(
      all['zupy_event_delivery_lag_seconds_sum{result="retrying"}']!,
    );
    expect(all['zupy_delivery_attempt_duration_seconds_bucket{le="+Inf",result="succeeded"}']).toBe(1);
    // HTTP requests by route pattern and status: the two registrations, the scrapes themselves.
    expect(
      all['zupy_http_request_duration_seconds_count{method="POST",route="/api/v2/customers/",status="201"}'],
    ).toBe(2);
    expect(
      all['zupy_http_request_duration_seconds_count{method="GET",route="/metrics",status="200"}'],
    ).toBeGreaterThan(0);
    // Node's and the process's defaults, and build info.
    expect(all['process_cpu_user_seconds_total']).toBeGreaterThan(0);
    expect(all['nodejs_heap_size_used_bytes']).toBeGreaterThan(0);
    expect(Object.keys(all).filter((name) => name.startsWith('zupy_build_info{'))).toEqual([
      `zupy_build_info{version="${VERSION}",node="${process.versions.node}",database="${onPostgres ? 'postgres' : 'sqlite'}"}`,
    ]);
    // Every series the sample Grafana dashboard (docs/grafana-dashboard.json) queries exists.
    const dashboard = fs.readFileSync(
      new URL('../../../docs/grafana-dashboard.json', import.meta.url),
      'utf8',
    );
    const queried = new Set(dashboard.match(/\b(zupy|process|nodejs)_[a-z0-9_]+/g));
    expect(queried.size).toBeGreaterThan(8);
    const scraped = new Set(Object.keys(all).map((series) => series.replace(/\{.*$/, '')));
    for (const name of queried) expect(scraped.has(name), name).toBe(true);
    // The queue is read from the log, whichever process counts: one with no worker sees it too.
    await server.runtime.worker!.stop(1000);
    await server.api.post('/api/v2/customers/', {
      ...JOAO,
      phone: '(31) 97777-1234',
      cpf: undefined,
      email: undefined,
    });
    await expect.poll(async () => (await metrics())['zupy_deliveries{status="pending"}']).toBe(1);
    // A test send's delivery is written as the admin panel's test does, then never sent (as if the
    // process died mid-send): it is not in the queue.
    const endpointId = (await server.api.get('/api/v2/webhooks/endpoints/')).body.data[0].id;
    await runInTransaction(server.runtime.ctx.db, (trx) =>
      recordEvent(trx, sampleEvent('customer.registered'), new Date(), {
        only: { endpointId, kind: 'test' },
      }),
    );
    expect((await metrics())['zupy_deliveries{status="pending"}']).toBe(1);
  });
});
