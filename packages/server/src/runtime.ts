import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { generateCouponCode, generateMemberId } from './customers/member-id.js';
import { systemClock } from './shared/clock.js';
import type { AppContext } from './shared/context.js';

export interface Runtime {
  readonly config: Config;
  readonly database: Database;
  readonly ctx: AppContext;
  close(): Promise<void>;
}

/** Opens the configured database, applies pending migrations and wires the feature context. */
export async function startRuntime(config: Config, overrides: Partial<AppContext> = {}): Promise<Runtime> {
  const database = openDatabase(config);
  await migrateToLatest(database.db as never, database.dialect);
  const ctx: AppContext = {
    db: database.db,
    dialect: database.dialect,
    clock: systemClock,
    newMemberId: () => generateMemberId(),
    newCouponCode: () => generateCouponCode(),
    eventsCommitted: () => undefined,
    ...overrides,
  };
  return { config, database, ctx, close: () => database.close() };
}
