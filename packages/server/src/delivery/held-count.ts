import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';

/** The endpoint's held deliveries (its pending ones while disabled): through its due index. */
export async function heldCount(db: Kysely<Tables>, endpointId: string): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .where('next_attempt_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
