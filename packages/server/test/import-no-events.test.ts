import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCustomers } from '../src/customers/import-customers.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/** `zupy import --no-events` (emitEvents: false), in process: the upgrade that welcome points cause is silent too. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ worker: false });
  const program = await server.api.put('/api/v2/loyalty/program/', {
    tiers_enabled: true,
    qualification_metric: 'points_balance',
    tiers: [
      { name: 'bronze', threshold: 0 },
      { name: 'silver', threshold: 50 },
    ],
    welcome_reward: { type: 'points', points: 100 },
  });
  expect(program.status, program.text).toBe(200);
});
afterAll(() => server.close());

const eventTypes = async () =>
  (await server.runtime.ctx.db.selectFrom('events').select('type').orderBy('seq').execute()).map(
    (e) => e.type,
  );

describe('an import without events', () => {
  it('upgrades a member whose welcome points cross a threshold and records no event at all', async () => {
    const headers = ['nome', 'telefone'];
    const rows = [{ line: 2, cells: ['Ana Souza', '(11) 96595-8122'] }];
    const ctx = server.runtime.ctx;
    const report = await importCustomers(ctx, headers, rows, {
      companyId: server.companyId,
      emitEvents: false,
    });
    expect(report).toMatchObject({ total: 1, created: 1, rejected: [] });
    const customer = await ctx.db
      .selectFrom('customers')
      .select(['tier', 'points_balance'])
      .executeTakeFirstOrThrow();
    expect(customer).toEqual({ tier: 'silver', points_balance: 100 });
    expect(await eventTypes()).toEqual([]);
  });

  it('with events, the same import records customer.registered then tier.upgraded', async () => {
    const rows = [{ line: 2, cells: ['Bruno Lima', '(21) 98123-4567'] }];
    await importCustomers(server.runtime.ctx, ['nome', 'telefone'], rows, {
      companyId: server.companyId,
      emitEvents: true,
    });
    expect(await eventTypes()).toEqual(['customer.registered', 'tier.upgraded']);
  });
});
