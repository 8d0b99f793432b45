import { OPERATIONAL_EVENT_TYPES, parseEvent } from '@zupy/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * Every attempt that got no HTTP answer carries a stable `error_code` (with `error_params`) beside
 * its English `error`, which stays as it always was: in the delivery log's attempts and in the answer
 * of a test send. The admin panel translates by the code (issue 19).
 */

let server: TestServer | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  await server?.close();
  server = undefined;
});

/** Sends a test event to `url` and returns the answer and the delivery's logged attempt. */
async function testSend(s: TestServer, url: string) {
  const ep = await s.api.post('/api/v2/webhooks/endpoints/', { url });
  expect(ep.status).toBe(201);
  const sent = await s.api.post(`/api/v2/webhooks/endpoints/${ep.body.id}/test/`, {
    event: 'customer.registered',
  });
  expect(sent.status).toBe(200);
  const detail = await s.api.get(`/api/v2/webhooks/deliveries/${sent.body.delivery_id}/`);
  return { sent: sent.body, attempt: detail.body.attempts[0] };
}

describe('attempt error codes', () => {
  it('a refused connection: connection_refused, the English error unchanged', async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    await receiver.goDown();
    const { sent, attempt } = await testSend(server, `${receiver.url}/hooks`);
    expect(sent).toMatchObject({
      success: false,
      status_code: null,
      error: 'connection refused',
      error_code: 'connection_refused',
      error_params: null,
    });
    expect(attempt).toMatchObject({
      response_status: null,
      error: 'connection refused',
      error_code: 'connection_refused',
      error_params: null,
    });
  });

  it('a delivery given up on a refused connection: delivery.failed says connection_refused in last_attempt', async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_RETRY_SCHEDULE: '0s,100ms' } });
    receiver = await startReceiver();
    await receiver.goDown();
    const ops = await startReceiver();
    try {
      expect(
        (await server.api.post('/api/v2/webhooks/endpoints/', { url: `${receiver.url}/crm` })).status,
      ).toBe(201);
      const opsEndpoint = await server.api.post('/api/v2/webhooks/endpoints/', {
        url: ops.url,
        events: [...OPERATIONAL_EVENT_TYPES],
      });
      expect(opsEndpoint.status).toBe(201);
      await server.api.post('/api/v2/customers/', { name: 'Ana', phone: '11 90000-0071' });
      const failed = await waitUntil(() =>
        ops.requests.map((q) => parseEvent(q.body)).find((e) => e.event === 'delivery.failed'),
      );
      expect(failed.event === 'delivery.failed' && failed.last_attempt).toEqual({
        status: null,
        error: 'connection refused',
        error_code: 'connection_refused',
        at: expect.stringMatching(/Z$/),
      });
      // The exact bytes: the code sits between `error` and `at`, as documented.
      const raw = ops.requests.find((q) => q.body.includes('"delivery.failed"'))!.body;
      expect(raw).toContain(
        '"last_attempt":{"status":null,"error":"connection refused","error_code":"connection_refused","at":"',
      );
    } finally {
      await ops.close();
    }
  });

  it('no answer within the timeout: timeout, with the timeout in ms as a param', async () => {
    server = await startTestServer({ env: { ZUPY_DELIVERY_TIMEOUT: '300ms' } });
    receiver = await startReceiver(() => 'hang');
    const { sent, attempt } = await testSend(server, receiver.url);
    for (const failure of [sent, attempt]) {
      expect(failure).toMatchObject({
        error: 'no answer within 300 ms',
        error_code: 'timeout',
        error_params: { timeout_ms: 300 },
      });
    }
  });

  it('a host that does not resolve, and one that resolves to a private address when sending', async () => {
    let resolving: 'public' | 'missing' | 'private' = 'public';
    server = await startTestServer({
      env: { ZUPY_ALLOW_PRIVATE_NETWORK: '' },
      ctx: {
        webhooks: {
          resolve: () =>
            resolving === 'missing'
              ? Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))
              : Promise.resolve([
                  { address: resolving === 'public' ? '93.184.216.34' : '10.0.0.7', family: 4 },
                ]),
        },
      },
    });
    const ep = await server.api.post('/api/v2/webhooks/endpoints/', { url: 'https://crm.example/hook' });
    expect(ep.status).toBe(201);
    const send = async () =>
      (await server!.api.post(`/api/v2/webhooks/endpoints/${ep.body.id}/test/`, {})).body;
    resolving = 'missing';
    expect(await send()).toMatchObject({
      error: 'host not found',
      error_code: 'host_not_found',
      error_params: null,
    });
    resolving = 'private';
    const forbidden = await send();
    expect(forbidden).toMatchObject({
      error: expect.stringContaining('crm.example resolves to a non-public'),
      error_code: 'forbidden_address',
      error_params: { host: 'crm.example' },
    });
    // The log says the same, and never where the name pointed.
    const detail = await server.api.get(`/api/v2/webhooks/deliveries/${forbidden.delivery_id}/`);
    expect(detail.body.attempts[0]).toMatchObject({
      error_code: 'forbidden_address',
      error_params: { host: 'crm.example' },
    });
    expect(detail.text).not.toContain('10.0.0.7');
  });

  it('an answer that is not 2xx: a test send says not_2xx with the status; the attempt has no error', async () => {
    server = await startTestServer();
    receiver = await startReceiver(() => ({ status: 503, body: 'down' }));
    const { sent, attempt } = await testSend(server, receiver.url);
    expect(sent).toMatchObject({
      success: false,
      status_code: 503,
      error: 'the receiver answered 503, not 2xx',
      error_code: 'not_2xx',
      error_params: { status: 503 },
    });
    expect(attempt).toMatchObject({
      response_status: 503,
      error: null,
      error_code: null,
      error_params: null,
    });
  });

  it('a success has no code; an error recorded before the codes existed is answered as other', async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    const { sent, attempt } = await testSend(server, receiver.url);
    expect(sent).toMatchObject({ success: true, error: null, error_code: null, error_params: null });
    expect(attempt).toMatchObject({ error: null, error_code: null, error_params: null });
    // As migration 0016 leaves an older attempt: its sentence, no code.
    await server.runtime.ctx.db
      .updateTable('delivery_attempts')
      .set({ response_status: null, error: 'connection refused', error_code: null, error_params: null })
      .where('delivery_id', '=', sent.delivery_id)
      .execute();
    const detail = await server.api.get(`/api/v2/webhooks/deliveries/${sent.delivery_id}/`);
    expect(detail.body.attempts[0]).toMatchObject({
      error: 'connection refused',
      error_code: 'other',
      error_params: null,
    });
  });
});
