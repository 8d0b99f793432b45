import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onPostgres } from './helpers/test-database.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(() => server.close());

describe('GET /events/', () => {
  it('lists the company’s events in order and resumes after a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (await server.api.post('/api/v2/customers/', { phone: `11 96000-000${i}`, name: `E${i}` })).body
          .customer.member_id,
      );
    }
    await server.api.post(`/api/v2/customers/${ids[0]}/points/add/`, { amount: 5000 });

    const first = await server.api.get('/api/v2/events/?page_size=2');
    expect(first.body.data.map((e: any) => e.payload.customer.member_id)).toEqual([ids[0], ids[1]]);
    expect(first.body.data[0]).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      type: 'customer.registered',
    });
    expect(first.body.meta.has_next).toBe(true);

    const rest = await server.api.get(`/api/v2/events/?after=${first.body.meta.cursor}`);
    expect(rest.body.data.map((e: any) => e.type)).toEqual([
      'customer.registered',
      'points.earned',
      'tier.upgraded',
    ]);
    expect(rest.body.meta.has_next).toBe(false);

    // Polling from the last cursor finds nothing new, then the next event.
    const idle = await server.api.get(`/api/v2/events/?after=${rest.body.meta.cursor}`);
    expect(idle.body.data).toEqual([]);
    expect(idle.body.meta.cursor).toBe(rest.body.meta.cursor);
    await server.api.post('/api/v2/customers/', JOAO);
    const next = await server.api.get(`/api/v2/events/?after=${idle.body.meta.cursor}`);
    expect(next.body.data.map((e: any) => e.payload.customer.name)).toEqual(['João Silva']);

    const upgrades = await server.api.get('/api/v2/events/?type=tier.upgraded');
    expect(upgrades.body.data).toHaveLength(1);

    const other = await server.newCompany('Elsewhere');
    expect((await other.api.get('/api/v2/events/')).body.data).toEqual([]);
  });

  it('the payload is the stored webhook body', async () => {
    await server.api.post('/api/v2/customers/', JOAO);
    const [row] = await server.runtime.ctx.db.selectFrom('events').select(['id', 'body']).execute();
    const listed = (await server.api.get('/api/v2/events/')).body.data[0];
    expect(listed.id).toBe(row!.id);
    expect(JSON.stringify(listed.payload)).toBe(row!.body);
  });
});

describe('the outbox is one transaction with its cause', () => {
  it('a failure forced after the event insert leaves neither the customer nor the event', async () => {
    // Welcome points past the silver threshold make registration write two events; the second fails.
    await server.api.put('/api/v2/loyalty/program/', {
      tiers_enabled: true,
      qualification_metric: 'points_balance',
      tiers: [
        { name: 'bronze', threshold: 0 },
        { name: 'silver', threshold: 50 },
      ],
      welcome_reward: { type: 'points', points: 100 },
    });
    const db = server.runtime.ctx.db;
    if (onPostgres) {
      await sql`create function fail_on_upgrade() returns trigger language plpgsql as $$
        begin
          if new.type = 'tier.upgraded' then raise exception 'forced failure after the customer.registered insert'; end if;
          return new;
        end $$`.execute(db);
      await sql`create trigger fail_on_upgrade before insert on events for each row execute function fail_on_upgrade()`.execute(
        db,
      );
    } else {
      await sql`create trigger fail_on_upgrade before insert on events when new.type = 'tier.upgraded'
        begin select raise(abort, 'forced failure after the customer.registered insert'); end`.execute(db);
    }

    const res = await server.api.post('/api/v2/customers/', JOAO);
    expect(res.status).toBe(500);
    expect(res.body.detail).not.toContain('forced');
    expect(await db.selectFrom('customers').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('events').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('ledger_entries').selectAll().execute()).toEqual([]);

    await sql`drop trigger fail_on_upgrade${onPostgres ? sql` on events` : sql``}`.execute(db);
    expect((await server.api.post('/api/v2/customers/', JOAO)).status).toBe(201);
    expect((await db.selectFrom('events').select('type').execute()).map((r) => r.type)).toEqual([
      'customer.registered',
      'tier.upgraded',
    ]);
  });

  it('concurrent registrations of one phone enroll one customer and record one event', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        server.api.post('/api/v2/customers/', { phone: '11 95555-0000', name: 'Twin' }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(7);
    const count = await server.runtime.ctx.db.selectFrom('events').select('id').execute();
    expect(count).toHaveLength(1);
  });
});
