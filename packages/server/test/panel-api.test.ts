import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let receiver: Receiver;
afterEach(async () => {
  await receiver?.close();
  await server?.close();
});

describe('the API behind the admin panel', () => {
  it('GET /me/ tells the company and whether the key is read-only', async () => {
    server = await startTestServer();
    expect((await server.api.get('/api/v2/me/')).body).toEqual({
      company_id: 'comp_bella_vista',
      company_name: 'Bella Vista',
      read_only: false,
      notification_email: null,
      language: 'pt-BR',
      time_zone: 'America/Sao_Paulo',
    });
    expect((await (await server.readOnlyClient()).get('/api/v2/me/')).body.read_only).toBe(true);
  });

  it('GET /stats/overview/ counts members by tier, activity per day and endpoint health', async () => {
    server = await startTestServer({ worker: true, env: { ZUPY_RETRY_SCHEDULE: '0s' } });
    let ok = true;
    receiver = await startReceiver(() => (ok ? { status: 200 } : { status: 500 }));
    const ep = (await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).body;
    const joao = (await server.api.post('/api/v2/customers/', JOAO)).body.customer.member_id;
    await server.api.post(`/api/v2/customers/${joao}/points/add/`, { amount: 2400 });
    // customer.registered, points.earned, tier.upgraded
    await receiver.waitFor(3);
    ok = false;
    await server.api.post('/api/v2/customers/', { phone: '11 91111-2222', name: 'Ana' });
    await receiver.waitFor(4);
    let stats;
    for (let i = 0; i < 100; i++) {
      stats = (await server.api.get('/api/v2/stats/overview/')).body;
      if (stats.endpoints[0]?.failed_deliveries_24h === 1 && stats.endpoints[0]?.attempts_24h === 4) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stats.members_by_tier).toEqual({ bronze: 1, silver: 1 });
    expect(stats.members_total).toBe(2);
    expect(stats.days).toHaveLength(14);
    expect(stats.days.at(-1)).toMatchObject({ registrations: 2, tier_upgrades: 1 });
    expect(stats.endpoints[0]).toMatchObject({
      id: ep.id,
      attempts_24h: 4,
      success_rate_24h: 75,
      failed_deliveries_24h: 1,
      needs_attention: true,
    });
    expect(stats.endpoints[0].latency_p50_ms).toBeGreaterThanOrEqual(0);

    // Replay the failed one from the panel's button.
    ok = true;
    const replay = await server.api.post(`/api/v2/webhooks/endpoints/${ep.id}/replay/`, { status: 'failed' });
    expect(replay).toMatchObject({ status: 202, body: { count: 1 } });
    const [, , , , again] = await receiver.waitFor(5);
    expect(again!.headers['x-zupy-attempt']).toBe('2');
    const other = await server.newCompany('Other');
    expect((await other.api.post(`/api/v2/webhooks/endpoints/${ep.id}/replay/`, {})).status).toBe(404);
    expect((await other.api.get('/api/v2/stats/overview/')).body.members_total).toBe(0);
  });
});
