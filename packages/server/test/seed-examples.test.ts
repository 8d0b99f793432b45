import { serializeEvent, type ZupyEvent } from '@zupy/webhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

async function storedBodies(server: TestServer): Promise<{ type: string; body: string }[]> {
  return server.runtime.ctx.db.selectFrom('events').select(['type', 'body']).orderBy('seq').execute();
}

describe('the seed’s examples come out of real operations', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(() => server.close());

  it('registering João Silva records customer.registered with exactly the seed’s keys, in order', async () => {
    const res = await server.api.post('/api/v2/customers/', JOAO);
    expect(res.status).toBe(201);
    expect(res.body.created).toBe(true);
    const memberId: string = res.body.customer.member_id;
    expect(memberId).toMatch(/^ZP-[0-9A-F]{8}$/);

    const [event, ...rest] = await storedBodies(server);
    expect(rest).toHaveLength(0);
    expect(event?.type).toBe('customer.registered');
    const body = JSON.parse(event!.body) as Record<string, any>;
    expect(Object.keys(body)).toEqual(['event', 'timestamp', 'company_id', 'customer', 'welcome_reward']);
    expect(Object.keys(body.customer)).toEqual([
      'member_id',
      'whatsapp',
      'email',
      'name',
      'cpf',
      'tier',
      'created_at',
    ]);
    expect(body).toMatchObject({
      event: 'customer.registered',
      company_id: 'comp_bella_vista',
      customer: {
        member_id: memberId,
        whatsapp: '+5511965958122',
        email: 'joao@example.com',
        name: 'João Silva',
        cpf: '52998224725',
        tier: 'bronze',
      },
    });
    expect(body.welcome_reward).toEqual({ enabled: true, type: 'points', points_awarded: 100 });
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body.customer.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // Compact JSON, UTF-8 unescaped, exactly what the SDK serializer produces.
    expect(event!.body).toBe(serializeEvent(body as ZupyEvent));
    expect(event!.body).toContain('"name":"João Silva"');
  });

  it('adding 2,400 points (balance 2,500) records tier.upgraded bronze → silver with the seed’s numbers', async () => {
    const reg = await server.api.post('/api/v2/customers/', JOAO);
    const memberId: string = reg.body.customer.member_id;
    const add = await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: 2400 });
    expect(add.status).toBe(200);
    expect(add.body).toMatchObject({
      customer_id: memberId,
      operation: 'add',
      amount: 2400,
      balance_before: 100,
      balance_after: 2500,
      tier: 'silver',
      tier_upgraded: true,
    });

    const events = await storedBodies(server);
    expect(events.map((e) => e.type)).toEqual(['customer.registered', 'points.earned', 'tier.upgraded']);
    const body = JSON.parse(events[2]!.body) as Record<string, any>;
    expect(Object.keys(body)).toEqual(['event', 'timestamp', 'company_id', 'customer', 'tier_change']);
    expect(Object.keys(body.customer)).toEqual(['member_id', 'name', 'whatsapp', 'email', 'tier']);
    expect(body.customer).toEqual({
      member_id: memberId,
      name: 'João Silva',
      whatsapp: '+5511965958122',
      email: 'joao@example.com',
      tier: 'silver',
    });
    expect(body.tier_change).toEqual({
      previous_tier: 'bronze',
      new_tier: 'silver',
      qualification_metric: 'points_balance',
      qualification_value: 2500,
      next_tier_requirements: { tier_name: 'gold', points_needed: 2500, total_points_required: 5000 },
    });
    expect(Object.keys(body.tier_change)).toEqual([
      'previous_tier',
      'new_tier',
      'qualification_metric',
      'qualification_value',
      'next_tier_requirements',
    ]);
  });

  it('a jump over several tiers is one event, and at the top tier next_tier_requirements is null', async () => {
    const reg = await server.api.post('/api/v2/customers/', JOAO);
    const memberId: string = reg.body.customer.member_id;
    const add = await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: 24_900 });
    expect(add.body.tier).toBe('vip');

    const events = await storedBodies(server);
    expect(events.map((e) => e.type)).toEqual(['customer.registered', 'points.earned', 'tier.upgraded']);
    const change = (JSON.parse(events[2]!.body) as { tier_change: unknown }).tier_change;
    expect(change).toEqual({
      previous_tier: 'bronze',
      new_tier: 'vip',
      qualification_metric: 'points_balance',
      qualification_value: 25_000,
      next_tier_requirements: null,
    });
  });
});
