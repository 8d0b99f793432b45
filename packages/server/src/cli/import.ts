import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { importCustomers, type ImportRow } from '../customers/import-customers.js';
import { ZupyError } from '../errors.js';
import { startRuntime } from '../app/runtime.js';
import { withCliAudit } from '../audit/cli-audit.js';
import { createProgressBar } from './progress-bar.js';
import { readCsv, type CsvFile } from './read-csv.js';

function csvCell(value: string, delimiter: string): string {
  return /["\n\r]/.test(value) || value.includes(delimiter) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('Register customers in bulk from a CSV export (name, phone, email, cpf columns)')
    .argument('<file>', 'the CSV file, with a header row')
    .requiredOption('--company <id>', 'the company to import into')
    .option('--no-events', 'record no customer.registered webhooks for these customers')
    .option('--rejects <file>', 'where to write the rejected rows (default: <file>.rejects.csv)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Header names are flexible (nome/name, telefone/celular/whatsapp/phone, e-mail/email, cpf/documento).
The delimiter (, ; or tab) and the encoding (UTF-8 with or without BOM, or Windows-1252/Latin-1 as
Excel saves "CSV (separado por ponto e vírgula)") are detected.
Each row is validated like an API registration; bad rows go to the rejects file with their line
number and reason. Customers already enrolled (same phone, CPF or e-mail) are skipped, so running
the same file again imports nothing twice and resumes an interrupted import.

Examples:
  $ zupy import clientes.csv --company comp_bella_vista
  $ zupy import export.csv --company comp_bella_vista --no-events --json
`,
    )
    .action(
      async (
        file: string,
        options: { company: string; events: boolean; rejects?: string; json?: boolean },
      ) => {
        let csv: CsvFile;
        try {
          csv = readCsv(fs.readFileSync(file));
        } catch (error) {
          throw new ZupyError(
            'ZUPY_VALIDATION_FAILED',
            `${file} is not a readable CSV file: ${(error as Error).message}`,
          );
        }
        const [headers, ...body] = csv.records;
        if (headers === undefined) throw new ZupyError('ZUPY_VALIDATION_FAILED', `${file} is empty`);
        const rows: ImportRow[] = body.map((cells, i) => ({ line: i + 2, cells }));
        const runtime = await startRuntime(loadConfig());
        try {
          const bar = options.json ? undefined : createProgressBar('Importing', rows.length);
          // Recorded in the first batch's transaction: an interrupted import is on the log too.
          const report = await withCliAudit(
            runtime.ctx.db,
            'import',
            () => Promise.resolve({ company: options.company, target: options.company }),
            () =>
              importCustomers(runtime.ctx, headers, rows, {
                companyId: options.company,
                emitEvents: options.events,
                ...(bar ? { onProgress: (done: number) => bar.update(done) } : {}),
              }),
          );
          bar?.finish();
          const rejectsFile = options.rejects ?? `${file}.rejects.csv`;
          if (report.rejected.length > 0) {
            // With the input's delimiter, in UTF-8 with a BOM: what a spreadsheet opens with its accents.
            const row = (cells: string[]) => cells.map((c) => csvCell(c, csv.delimiter)).join(csv.delimiter);
            const lines = [row(['line', 'field', 'reason', ...headers])];
            for (const r of report.rejected)
              lines.push(row([String(r.line), r.fields.join(' '), r.reason, ...r.cells]));
            fs.writeFileSync(rejectsFile, '\ufeff' + lines.join('\n') + '\n');
          }
          const summary = {
            total: report.total,
            created: report.created,
            already_enrolled: report.already_enrolled,
            rejected: report.rejected.length,
            rejects_file: report.rejected.length > 0 ? rejectsFile : null,
            events: options.events,
          };
          if (options.json) {
            process.stdout.write(
              JSON.stringify({
                ...summary,
                rejected_rows: report.rejected.map((r) => ({
                  line: r.line,
                  fields: r.fields,
                  reason: r.reason,
                })),
              }) + '\n',
            );
          } else {
            process.stdout.write(
              `${summary.created} imported, ${summary.already_enrolled} already enrolled, ${summary.rejected} rejected of ${summary.total} rows` +
                (summary.rejects_file ? `; rejected rows in ${summary.rejects_file}` : '') +
                '\n',
            );
          }
        } finally {
          await runtime.close();
        }
      },
    );
}
