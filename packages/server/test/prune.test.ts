import { afterEach, describe, expect, it } from 'vitest';
import { oldUnreferencedEvents, pruneDeliveryLog } from '../src/delivery/prune-delivery-log.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { onPostgres } from './helpers/test-database.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let receiver: Receiver;
afterEach(async () => {
  await receiver?.close();
  await server?.close();
});

describe('retention', () => {
  it('prunes finished deliveries, their attempts and delivered events; keeps pending ones and anything recent', async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    const live = (await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).body;
    const sent = await server.api.post(`/api/v2/webhooks/endpoints/${live.id}/test/`, {});
    expect(sent.body.success).toBe(true);
    // No worker runs here: this registration's delivery stays pending.
    await server.api.post('/api/v2/customers/', JOAO);
    const db = server.runtime.ctx.db;
    const count = async (table: 'deliveries' | 'delivery_attempts' | 'events') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect([await count('deliveries'), await count('delivery_attempts'), await count('events')]).toEqual([
      2, 1, 2,
    ]);

    expect(await pruneDeliveryLog(db, new Date(Date.now() - 60_000))).toEqual({
      deliveries: 0,
      attempts: 0,
      events: 0,
    });
    expect(await pruneDeliveryLog(db, new Date(Date.now() + 60_000))).toEqual({
      deliveries: 1,
      attempts: 1,
      events: 1,
    });
    const [pending] = await db.selectFrom('deliveries').selectAll().execute();
    expect(pending!.status).toBe('pending');
    expect(await count('events')).toBe(1);
    expect((await server.api.get('/api/v2/events/')).body.data).toHaveLength(1);
  });

  it('prunes held deliveries recorded before the cutoff and discarded ones; keeps an enabled endpoint’s pending ones', async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    const held = (await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).body;
    const live = (await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).body;
    const dropped = (await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).body;
    for (const ep of [held, dropped])
      await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${ep.id}/`, { enabled: false });
    // No worker: one registration, pending at `live`, held at the other two.
    await server.api.post('/api/v2/customers/', JOAO);
    await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${dropped.id}/`, {
      enabled: true,
      discard_held: true,
    });
    const db = server.runtime.ctx.db;
    const statuses = async () =>
      Object.fromEntries(
        (await db.selectFrom('deliveries').select(['endpoint_id', 'status']).execute()).map((d) => [
          d.endpoint_id,
          d.status,
        ]),
      );
    expect(await statuses()).toEqual({
      [held.id]: 'pending',
      [live.id]: 'pending',
      [dropped.id]: 'discarded',
    });
    expect((await pruneDeliveryLog(db, new Date(Date.now() - 60_000))).deliveries).toBe(0);
    expect((await pruneDeliveryLog(db, new Date(Date.now() + 60_000))).deliveries).toBe(2);
    expect(await statuses()).toEqual({ [live.id]: 'pending' });
  });

  it.skipIf(onPostgres)(
    'finds an event’s deliveries through an index, not by scanning the whole log',
    async () => {
      server = await startTestServer();
      const query = oldUnreferencedEvents(server.runtime.ctx.db, new Date().toISOString()).compile();
      const plan = await server.runtime.database.sqlite!.run(
        (sqlite) =>
          sqlite.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as {
            detail: string;
          }[],
      );
      const lookups = plan.map((step) => step.detail).filter((detail) => /\bdeliveries\b/.test(detail));
      expect(lookups).toEqual([
        expect.stringMatching(/^SEARCH deliveries USING COVERING INDEX deliveries_event/),
      ]);
    },
  );
});
