import type { AppContext } from '../shared/context.js';
import { isUniqueViolation } from '../db/constraint-error.js';
import { ZupyError } from '../errors.js';
import { registerInTransaction, validateRegistration, type ValidRegistration } from './register-customer.js';
import { runInTransaction } from '../db/transaction.js';

/** Column names a POS export may use for each field (compared lower-case, without accents or punctuation). */
const ALIASES = {
  name: ['name', 'nome', 'full_name', 'nome_completo', 'customer_name', 'cliente', 'customer', 'client_name'],
  phone: [
    'phone',
    'telefone',
    'celular',
    'whatsapp',
    'mobile',
    'fone',
    'tel',
    'phone_number',
    'cell',
    'cellphone',
  ],
  email: ['email', 'e_mail', 'mail', 'email_address'],
  cpf: ['cpf', 'documento', 'document', 'tax_id', 'cpf_cnpj'],
} as const;
type Field = keyof typeof ALIASES;

function normalizeHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** Which column holds which field; throws when there is no name or phone column. */
export function mapColumns(headers: readonly string[]): Record<Field, number | undefined> {
  const normalized = headers.map(normalizeHeader);
  const find = (field: Field) => {
    const index = normalized.findIndex((h) => (ALIASES[field] as readonly string[]).includes(h));
    return index >= 0 ? index : undefined;
  };
  const columns = { name: find('name'), phone: find('phone'), email: find('email'), cpf: find('cpf') };
  const missing = (['name', 'phone'] as const).filter((f) => columns[f] === undefined);
  if (missing.length > 0) {
    throw new ZupyError(
      'ZUPY_VALIDATION_FAILED',
      `the CSV has no ${missing.join(' or ')} column (found: ${headers.join(', ')}); name it e.g. ${missing.map((f) => ALIASES[f].slice(0, 3).join('/')).join(', ')}`,
    );
  }
  return columns;
}

export interface ImportRow {
  /** The row's line number in the file (the header is line 1). */
  line: number;
  cells: readonly string[];
}

export interface RejectedRow {
  line: number;
  /** The fields at fault (`phone`, `cpf`…), as the API's 422 names them. */
  fields: string[];
  reason: string;
  cells: readonly string[];
}

export interface ImportReport {
  total: number;
  created: number;
  already_enrolled: number;
  rejected: RejectedRow[];
}

export interface ImportOptions {
  companyId: string;
  emitEvents: boolean;
  batchSize?: number;
  onProgress?: (done: number) => void;
}

/**
 * Registers the rows of a POS export through the same code as the API, a batch per transaction.
 * Every row is matched first (phone, CPF, e-mail), so running the same file again imports nothing
 * twice: an interrupted import is resumed by running it again.
 */
export async function importCustomers(
  ctx: AppContext,
  headers: readonly string[],
  rows: readonly ImportRow[],
  options: ImportOptions,
): Promise<ImportReport> {
  const company = await ctx.db
    .selectFrom('companies')
    .select('id')
    .where('id', '=', options.companyId)
    .executeTakeFirst();
  if (!company) throw new ZupyError('ZUPY_NOT_FOUND', `company ${options.companyId} not found`);
  const columns = mapColumns(headers);
  const cell = (row: ImportRow, field: Field) => {
    const index = columns[field];
    return index === undefined ? undefined : row.cells[index]?.trim() || undefined;
  };
  const report: ImportReport = { total: rows.length, created: 0, already_enrolled: 0, rejected: [] };
  const valid: { row: ImportRow; registration: ValidRegistration }[] = [];
  for (const row of rows) {
    try {
      const registration = validateRegistration({
        name: cell(row, 'name') ?? '',
        phone: cell(row, 'phone') ?? '',
        email: cell(row, 'email'),
        cpf: cell(row, 'cpf'),
        channel: 'import',
      });
      valid.push({ row, registration });
    } catch (error) {
      if (!(error instanceof ZupyError)) throw error;
      report.rejected.push({
        line: row.line,
        fields: error.fieldErrors.map((e) => e.field),
        reason: error.fieldErrors.map((e) => `${e.field} ${e.detail}`).join('; '),
        cells: row.cells,
      });
    }
  }
  const batchSize = options.batchSize ?? 500;
  let done = report.rejected.length;
  for (let start = 0; start < valid.length; start += batchSize) {
    const batch = valid.slice(start, start + batchSize);
    for (let attempt = 1; ; attempt++) {
      try {
        const outcomes = await runInTransaction(ctx.db, async (trx) => {
          const results = [];
          for (const { registration } of batch) {
            results.push(
              await registerInTransaction(trx, ctx, options.companyId, registration, {
                emitEvents: options.emitEvents,
              }),
            );
          }
          return results;
        });
        for (const outcome of outcomes) {
          if (outcome.created) report.created++;
          else report.already_enrolled++;
        }
        break;
      } catch (error) {
        // Someone registered one of these customers meanwhile: run the batch again, it will match.
        if (!isUniqueViolation(error) || attempt >= 3) throw error;
      }
    }
    done += batch.length;
    options.onProgress?.(done);
  }
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}
