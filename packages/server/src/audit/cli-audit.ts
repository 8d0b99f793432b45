import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { runInTransactionScope } from '../db/transaction-scope.js';
import { AuditScope, idIn } from './audit-scope.js';

/** Whose log a CLI write goes to, read in the change's transaction: the company and the target. */
export type CliSubject = (
  trx: Kysely<Tables>,
  value: unknown,
) => Promise<{ company: string; target: string | null } | null>;

/** The company of an endpoint, in `trx` (a replay, a test send, `listen`'s own endpoint). */
export async function companyOfEndpoint(trx: Kysely<Tables>, endpointId: string): Promise<string | null> {
  const row = await trx
    .selectFrom('webhook_endpoints')
    .select('company_id')
    .where('id', '=', endpointId)
    .executeTakeFirst();
  return row?.company_id ?? null;
}

/** A write about an endpoint goes to its company's log, the endpoint as the target. */
export const endpointSubject =
  (endpointId: string): CliSubject =>
  async (trx) => {
    const company = await companyOfEndpoint(trx, endpointId);
    return company === null ? null : { company, target: endpointId };
  };

/** A write of a company's: to its log, with the id its transaction returned (or named) as target. */
export const companySubject =
  (companyId: string, target?: string): CliSubject =>
  (_trx, value) =>
    Promise.resolve({ company: companyId, target: target ?? idIn(value) });

/**
 * Runs a CLI command's change with its audit entry (`actor: cli`, no key, no address, no status,
 * `action: cli <command>`) written in the change's transaction — the first of `work`'s transactions
 * that commits — and chains it once `work` is done (or has failed after a commit: what committed
 * is recorded). `subject` says whose log and which target; null records nothing (the subject is
 * unknown). A crash before the chaining leaves the entry for the next process's sweep.
 */
export async function withCliAudit<T>(
  db: Kysely<Tables>,
  action: string,
  subject: CliSubject,
  work: () => Promise<T>,
  now: () => Date = () => new Date(),
): Promise<T> {
  const scope = new AuditScope(db, async (trx, value) => {
    const who = await subject(trx, value);
    if (who === null) return null;
    return {
      company_id: who.company,
      at: now().toISOString(),
      actor: 'cli',
      key_prefix: null,
      address: null,
      action: `cli ${action}`,
      target_id: who.target,
    };
  });
  let result: T;
  try {
    result = await runInTransactionScope(scope, work);
  } catch (error) {
    // What committed before the failure is recorded; the failure is what the caller hears of.
    await scope.finish({ status: null }).catch(() => undefined);
    throw error;
  }
  await scope.finish({ status: null });
  return result;
}
