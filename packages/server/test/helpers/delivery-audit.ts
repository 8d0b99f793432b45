import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { Db } from '../../src/db/database.js';

/** One request as a receiver saw it: when it began, and when it was answered. */
export interface Hit {
  delivery: string;
  event: string;
  start: number;
  end: number;
}

/** A receiver that takes 5 ms to answer 200 and notes when each request began and ended. */
export async function startTimingReceiver(): Promise<{
  url: string;
  hits: Hit[];
  close: () => Promise<void>;
}> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const start = performance.now();
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        hits.push({
          delivery: String(req.headers['x-zupy-delivery']),
          event: String(req.headers['x-zupy-event-id']),
          start,
          end: performance.now(),
        });
        res.writeHead(200).end('ok');
      }, 5);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export async function succeededCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'succeeded')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * What workers sharing a queue must guarantee, after `deliveries` succeeded: one successful attempt on
 * record per delivery; every delivery arrived; one a killed worker had in flight may have arrived
 * twice (at most `maxDuplicates` of them), never two attempts of one delivery at once.
 */
export async function expectOnceEach(
  db: Db,
  hits: readonly Hit[],
  deliveries: number,
  maxDuplicates: number,
) {
  const perDelivery = await db
    .selectFrom('delivery_attempts')
    .select(['delivery_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('response_status', '>=', 200)
    .where('response_status', '<', 300)
    .groupBy('delivery_id')
    .execute();
  expect(perDelivery).toHaveLength(deliveries);
  expect(perDelivery.filter((row) => Number(row.n) !== 1)).toEqual([]);

  const byDelivery = new Map<string, Hit[]>();
  for (const hit of hits) byDelivery.set(hit.delivery, [...(byDelivery.get(hit.delivery) ?? []), hit]);
  expect(byDelivery.size).toBe(deliveries);
  const overlapping = [...byDelivery.values()].filter((list) =>
    list.sort((a, b) => a.start - b.start).some((hit, i) => i > 0 && hit.start < list[i - 1]!.end),
  );
  expect(overlapping).toEqual([]);
  const duplicates = [...byDelivery.values()].filter((list) => list.length > 1).length;
  expect(duplicates).toBeLessThanOrEqual(maxDuplicates);
}
