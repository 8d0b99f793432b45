import type { Command } from 'commander';
import { withCliAudit } from '../audit/cli-audit.js';
import { createCompany } from '../companies/create-company.js';
import { companyInserted } from './company.js';
import { loadConfig } from '../config.js';
import { buildApp } from '../app/build-app.js';
import { buildWorkerApp } from '../app/worker-app.js';
import { serverOptionsOf } from '../app/server-options.js';
import { startRuntime, type Runtime } from '../app/runtime.js';

/** On the first start with an empty database: a demo company, and its key printed once. */
async function createDemoCompanyIfEmpty(runtime: Runtime): Promise<string | undefined> {
  const any = await runtime.ctx.db.selectFrom('companies').select('id').limit(1).executeTakeFirst();
  if (any) return undefined;
  const db = runtime.ctx.db;
  const created = await withCliAudit(db, 'serve: demo company', companyInserted, () =>
    createCompany(db, { name: 'Demo Restaurant', id: 'comp_demo' }, new Date()),
  );
  return created.api_key;
}

/** SIGINT/SIGTERM: stop accepting, let the worker finish or release what is in flight, close the database. */
function stopOnSignals(close: () => Promise<void>): void {
  const stop = (): void => {
    void close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the API, the admin panel and the delivery worker in one process')
    .option('--no-worker', 'API and admin panel only (the delivery worker runs elsewhere)')
    .addHelpText('after', '\nExamples:\n  $ zupy serve\n  $ ZUPY_PORT=9000 zupy serve --no-worker\n')
    .action(async (options: { worker: boolean }) => {
      const config = loadConfig();
      const runtime = await startRuntime(config);
      const demoKey = await createDemoCompanyIfEmpty(runtime);
      const app = await buildApp(runtime.ctx, {
        logLevel: config.logLevel,
        rateLimitPerMinute: config.rateLimitPerMinute,
        adminSourceMaps: config.adminSourceMaps,
        auditRetentionMs: config.auditRetentionMs,
        ...serverOptionsOf(config),
        runtime,
      });
      if (options.worker) runtime.startWorker(app.log);
      const address = await app.listen({ port: config.port, host: config.host });
      const base = address.replace('0.0.0.0', '127.0.0.1');
      const lines = [
        '',
        `  Zupy is running on ${config.databaseUrl ? 'PostgreSQL' : `SQLite (${config.dataDir})`}` +
          (options.worker ? ', with the delivery worker' : ', without the delivery worker'),
        `  API        ${base}/api/v2/`,
        `  API docs   ${base}/docs`,
        `  Admin      ${base}/admin`,
        ...(options.worker
          ? [
              `  E-mails    ${config.smtp ? `owner notices via ${config.smtp.safeUrl}` : 'off (no SMTP configured)'}`,
            ]
          : []),
        '',
      ];
      if (config.allowPrivateNetwork) {
        lines.push(
          '  Warning    ZUPY_ALLOW_PRIVATE_NETWORK is on: webhooks may reach loopback, private and',
          '             cloud-metadata addresses. For development only; never in production.',
          '',
        );
      }
      if (demoKey) {
        lines.push(
          '  First start: created the demo company comp_demo. Its API key, shown only this once:',
          `    ${demoKey}`,
          '',
        );
      }
      lines.push(
        '  New company and key:   npx zupy company create --name "Bella Vista"',
        '  Another key:           npx zupy apikey create --company comp_demo',
        '',
      );
      process.stdout.write(lines.join('\n') + '\n');
      stopOnSignals(async () => {
        await app.close();
        await runtime.close();
      });
    });

  program
    .command('worker')
    .description('Run the delivery worker alone; serves /healthz, /readyz and /metrics on ZUPY_PORT')
    .addHelpText('after', '\nExamples:\n  $ ZUPY_PORT=9100 zupy worker\n')
    .action(async () => {
      const config = loadConfig();
      const runtime = await startRuntime(config);
      const app = await buildWorkerApp(runtime, config.logLevel, serverOptionsOf(config));
      if (config.allowPrivateNetwork)
        app.log.warn(
          'ZUPY_ALLOW_PRIVATE_NETWORK is on: webhooks may reach loopback, private and cloud-metadata addresses (development only)',
        );
      runtime.startWorker(app.log);
      await app.listen({ port: config.port, host: config.host });
      stopOnSignals(async () => {
        await app.close();
        await runtime.close();
      });
    });
}
