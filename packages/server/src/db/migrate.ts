import { Migrator, type Kysely, type MigrationProvider, type Migration as KyselyMigration } from 'kysely';
import type { DialectName } from './dialect.js';
import { MIGRATIONS } from './migrations/index.js';

/** Applies every pending migration; returns the names it applied. Safe to run at every start. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: DialectName): Promise<string[]> {
  const provider: MigrationProvider = {
    getMigrations: () =>
      Promise.resolve(
        Object.fromEntries(
          Object.entries(MIGRATIONS).map(([name, m]): [string, KyselyMigration] => [
            name,
            { up: (trx) => m.up(trx, dialect) },
          ]),
        ),
      ),
  };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'zupy_migrations',
    migrationLockTableName: 'zupy_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
