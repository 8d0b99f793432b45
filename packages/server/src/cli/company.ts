import type { Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../companies/api-keys.js';
import { printList } from './print-table.js';
import { createCompany } from '../companies/create-company.js';
import { withCliAudit } from '../audit/cli-audit.js';
import { runInTransaction } from '../db/transaction.js';
import { listCompanies, resolveCompanyId } from '../companies/list-companies.js';
import { loadConfig } from '../config.js';
import { startRuntime } from '../app/runtime.js';

/** `zupy company create`'s audit entry goes to the company its transaction inserted. */
export const companyInserted = (_trx: unknown, value: unknown) =>
  Promise.resolve({
    company: (value as { company_id: string }).company_id,
    target: (value as { company_id: string }).company_id,
  });

export function registerCompanyCommands(program: Command): void {
  const company = program.command('company').description('Manage companies (tenants)');
  company
    .command('create')
    .description('Create a company and its first read-write API key, printed once')
    .requiredOption('--name <name>', 'the company’s name')
    .option('--id <id>', 'its id, e.g. comp_bella_vista (default: from the name)')
    .option('--json', 'print {"company_id", "api_key"} on one line')
    .addHelpText(
      'after',
      '\nExamples:\n  $ zupy company create --name "Bella Vista"\n  $ zupy company create --name "Bella Vista" --id comp_bella_vista --json\n',
    )
    .action(async (options: { name: string; id?: string; json?: boolean }) => {
      const runtime = await startRuntime(loadConfig());
      try {
        const db = runtime.ctx.db;
        // The new company's id is read in the transaction that inserted it.
        const created = await withCliAudit(db, 'company create', companyInserted, () =>
          createCompany(db, { name: options.name, id: options.id }, new Date()),
        );
        if (options.json) {
          process.stdout.write(
            JSON.stringify({ company_id: created.company_id, api_key: created.api_key }) + '\n',
          );
        } else {
          process.stdout.write(
            `Created company ${created.company_id} (${created.name}).\nAPI key (read-write), shown only this once:\n  ${created.api_key}\n`,
          );
        }
      } finally {
        await runtime.close();
      }
    });

  company
    .command('list')
    .description('List the companies')
    .option('--json', 'print a JSON array of {company_id, name, created_at}')
    .action(async (options: { json?: boolean }) => {
      const runtime = await startRuntime(loadConfig());
      try {
        printList(
          await listCompanies(runtime.ctx.db),
          { json: options.json, empty: 'No companies yet: zupy company create --name "…"' },
          ['COMPANY', 'NAME', 'CREATED'],
          (c) => [c.company_id, c.name, c.created_at],
        );
      } finally {
        await runtime.close();
      }
    });

  const apikey = program.command('apikey').description('Manage API keys');
  apikey
    .command('list')
    .description("List a company's API keys by prefix (a key is shown in full only when created)")
    .option('--company <id>', 'the company id (default: the only company there is)')
    .option('--json', 'print a JSON array of {prefix, read_only, created_at, revoked_at}')
    .action(async (options: { company?: string; json?: boolean }) => {
      const runtime = await startRuntime(loadConfig());
      try {
        const companyId = await resolveCompanyId(runtime.ctx.db, options.company);
        printList(
          await listApiKeys(runtime.ctx.db, companyId),
          {
            json: options.json,
            empty: `${companyId} has no API keys: zupy apikey create --company ${companyId}`,
          },
          ['PREFIX', 'ACCESS', 'CREATED', 'REVOKED'],
          (k) => [
            `${k.prefix}…`,
            k.read_only ? 'read-only' : 'read-write',
            k.created_at,
            k.revoked_at ?? '-',
          ],
        );
      } finally {
        await runtime.close();
      }
    });
  apikey
    .command('create')
    .description('Create an API key for a company, printed once')
    .requiredOption('--company <id>', 'the company id')
    .option('--read-only', 'a key that can read but not change anything')
    .option('--json', 'print {"company_id", "api_key", "read_only"} on one line')
    .addHelpText(
      'after',
      '\nExamples:\n  $ zupy apikey create --company comp_demo\n  $ zupy apikey create --company comp_demo --read-only\n',
    )
    .action(async (options: { company: string; readOnly?: boolean; json?: boolean }) => {
      const runtime = await startRuntime(loadConfig());
      try {
        const readOnly = options.readOnly === true;
        const db = runtime.ctx.db;
        const { key } = await withCliAudit(
          db,
          'apikey create',
          () => Promise.resolve({ company: options.company, target: options.company }),
          () =>
            runInTransaction(db, (trx) => createApiKey(trx, options.company, { readOnly, now: new Date() })),
        );
        if (options.json) {
          process.stdout.write(
            JSON.stringify({ company_id: options.company, api_key: key, read_only: readOnly }) + '\n',
          );
        } else {
          process.stdout.write(
            `API key (${readOnly ? 'read-only' : 'read-write'}) for ${options.company}, shown only this once:\n  ${key}\n`,
          );
        }
      } finally {
        await runtime.close();
      }
    });
  apikey
    .command('revoke')
    .description('Revoke the API key that starts with KEY_PREFIX')
    .argument('<key_prefix>', 'zupy_pk_ and at least 6 more characters of the key, or the whole key')
    .action(async (prefix: string) => {
      const runtime = await startRuntime(loadConfig());
      try {
        const db = runtime.ctx.db;
        const revoked = await withCliAudit(
          db,
          'apikey revoke',
          (_trx, value) =>
            Promise.resolve({ company: (value as { company_id: string }).company_id, target: null }),
          () => runInTransaction(db, (trx) => revokeApiKey(trx, prefix, new Date())),
        );
        process.stdout.write(`Revoked ${revoked.prefix}…\n`);
      } finally {
        await runtime.close();
      }
    });
}
