import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';

/** Gives leased deliveries back at once (graceful shutdown), so another worker need not wait for the lease. */
export async function releaseDeliveries(db: Kysely<Tables>, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('deliveries').set({ lease_expires_at: null }).where('id', 'in', ids).execute();
}
