import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations (serve and worker also do it at start)')
    .option('--json', 'print the applied migrations as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ zupy migrate\n  $ ZUPY_DATA_DIR=/var/lib/zupy zupy migrate --json\n',
    )
    .action(async (options: { json?: boolean }) => {
      const database = openDatabase(loadConfig());
      try {
        const applied = await migrateToLatest(database.db as never, database.dialect);
        if (options.json) process.stdout.write(JSON.stringify({ applied }) + '\n');
        else
          process.stdout.write(
            applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n',
          );
      } finally {
        await database.close();
      }
    });
}
