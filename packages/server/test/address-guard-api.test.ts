import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { JOAO, startTestServer, tempDir, type TestServer } from './helpers/test-server.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

let server: TestServer;
let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  await server?.close();
});

describe('webhooks never reach private networks unless the operator allows it', () => {
  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost:8080/hook',
    'http://2130706433/',
    'http://0x7f.0.0.1/',
    'http://0177.0.0.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.0.10/',
    'http://100.64.1.1/',
    'http://[fd00::1]/',
    'http://0.0.0.0/',
    // Documentation, benchmarking, relay and other IANA special-purpose ranges.
    'http://192.0.2.1/',
    'http://198.51.100.7/',
    'http://203.0.113.9/',
    'http://192.88.99.1/',
    'http://198.19.0.1/',
    'http://240.0.0.1/',
    'http://[2001:db8::1]/',
    'http://[2001::1]/',
    'http://[2002:808:808::1]/',
    'http://[64:ff9b:1::808:808]/',
    'http://[3fff::1]/',
    'http://[5f00::1]/',
    'http://[::ffff:192.168.0.1]/',
  ])('refuses %s at registration with a 422 that says how to allow it', async (url) => {
    server = await startTestServer({ env: { ZUPY_ALLOW_PRIVATE_NETWORK: '' } });
    const res = await server.api.post('/api/v2/webhooks/endpoints/', { url });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      {
        field: 'url',
        code: 'url_forbidden_address',
        detail: expect.stringContaining('ZUPY_ALLOW_PRIVATE_NETWORK=1'),
        params: { host: expect.any(String) },
      },
    ]);
    const patch = await server.api.put('/api/v2/integrations/webhooks/', { webhook_url: url });
    expect(patch.status).toBe(422);
  });

  it('refuses the private IPv4 ranges from edge to edge and accepts the public addresses just outside them', async () => {
    server = await startTestServer({ env: { ZUPY_ALLOW_PRIVATE_NETWORK: '' } });
    const register = (host: string) =>
      server.api.post('/api/v2/webhooks/endpoints/', { url: `http://${host}/hook` });
    const refused = [
      ['10.0.0.0', '10.128.7.9', '10.255.255.255'],
      ['172.16.0.0', '172.24.200.7', '172.31.255.255'],
      ['192.168.0.0', '192.168.200.7', '192.168.255.255'],
    ].flat();
    for (const host of refused) {
      const res = await register(host);
      expect(res.status, host).toBe(422);
      expect(res.body.errors, host).toEqual([
        {
          field: 'url',
          code: 'url_forbidden_address',
          detail: expect.stringContaining(`${host} is a non-public`),
          params: { host },
        },
      ]);
    }
    const allowed = [
      '9.255.255.255',
      '11.0.0.0',
      '172.15.255.255',
      '172.32.0.0',
      '192.167.255.255',
      '192.169.0.1',
    ];
    for (const host of allowed) expect((await register(host)).status, host).toBe(201);
    const listed = (await server.api.get('/api/v2/webhooks/endpoints/')).body.data.map(
      (e: { url: string }) => new URL(e.url).hostname,
    );
    expect(listed.sort()).toEqual([...allowed].sort());
  });

  it('refuses a host name whose DNS answer is private, without naming the address (no mapping of internal DNS)', async () => {
    const answers = ['192.168.1.20', '2001:db8::7', 'fd12:3456::1', '198.51.100.23'];
    let next = 0;
    server = await startTestServer({
      env: { ZUPY_ALLOW_PRIVATE_NETWORK: '' },
      ctx: {
        webhooks: {
          resolve: () => {
            const address = answers[next++ % answers.length]!;
            return Promise.resolve([{ address, family: address.includes(':') ? 6 : 4 }]);
          },
        },
      },
    });
    for (const address of answers) {
      const res = await server.api.post('/api/v2/webhooks/endpoints/', {
        url: 'https://crm.internal.example/hook',
      });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        {
          field: 'url',
          code: 'url_forbidden_address',
          detail: expect.stringContaining('crm.internal.example resolves to a non-public'),
          params: { host: 'crm.internal.example' },
        },
      ]);
      expect(res.text).not.toContain(address);
    }
  });

  it('checks again at connect time: a DNS answer that turns private after registration is not connected to', async () => {
    receiver = await startReceiver();
    const port = new URL(receiver.url).port;
    let lookups = 0;
    server = await startTestServer({
      worker: true,
      env: { ZUPY_ALLOW_PRIVATE_NETWORK: '', ZUPY_RETRY_SCHEDULE: '0s' },
      // First answer public (registration passes), every later one loopback (a rebinding attack).
      ctx: {
        webhooks: {
          resolve: () =>
            Promise.resolve([
              lookups++ === 0 ? { address: '93.184.216.34', family: 4 } : { address: '127.0.0.1', family: 4 },
            ]),
        },
      },
    });
    const ep = await server.api.post('/api/v2/webhooks/endpoints/', {
      url: `http://rebind.example:${port}/hook`,
    });
    expect(ep.status).toBe(201);
    await server.api.post('/api/v2/customers/', JOAO);
    const delivery = await (async () => {
      for (let i = 0; i < 200; i++) {
        const [d] = (await server.api.get('/api/v2/webhooks/deliveries/')).body.data;
        if (d?.status === 'failed')
          return (await server.api.get(`/api/v2/webhooks/deliveries/${d.id}/`)).body;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('delivery did not fail');
    })();
    expect(delivery.attempts[0].response_status).toBeNull();
    // The delivery log is the tenant's to read: it says why, not where the name pointed.
    expect(delivery.attempts[0].error).toContain('rebind.example resolves to a non-public');
    expect(delivery.attempts[0].error).not.toContain('127.0.0.1');
    expect(receiver.requests).toHaveLength(0);
    expect(lookups).toBeGreaterThanOrEqual(2);
  });

  it('refuses a literal private address at send time too, when it was allowed at registration', async () => {
    receiver = await startReceiver();
    // Registered while private networks were allowed…
    const dataDir = tempDir();
    const first = await startTestServer({ dataDir });
    const ep = (await first.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).body;
    await first.close();
    expect(ep.id).toMatch(/^ep_/);
    // …then the operator turns the guard on: the same data dir, now guarded.
    server = await startTestServer({
      dataDir,
      databaseUrl: first.databaseUrl,
      env: { ZUPY_ALLOW_PRIVATE_NETWORK: '' },
    });
    const test = await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/test/`, {});
    expect(test.body).toMatchObject({
      success: false,
      status_code: null,
      error: expect.stringContaining('private'),
    });
    expect(receiver.requests).toHaveLength(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
