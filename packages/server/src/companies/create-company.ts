import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { isUniqueViolation } from '../db/constraint-error.js';
import { runInTransaction } from '../db/transaction.js';
import { ZupyError, invalidField } from '../errors.js';
import { randomChars, UPPER_HEX } from '../shared/random-chars.js';
import { createApiKey } from './api-keys.js';

export const COMPANY_ID_PATTERN = /^comp_[a-z0-9_]{1,60}$/;

export interface CreatedCompany {
  company_id: string;
  name: string;
  api_key: string;
}

/** `Bella Vista` → `comp_bella_vista`. */
export function companyIdFromName(name: string): string {
  const slug = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return `comp_${slug || 'company'}`;
}

/** Creates a company and its first read-write API key, in one transaction. */
export async function createCompany(
  db: Kysely<Tables>,
  input: { name: string; id?: string | undefined },
  now: Date,
): Promise<CreatedCompany> {
  const name = input.name.trim();
  if (name === '' || name.length > 200)
    throw invalidField('name', 'length_out_of_range', 'must be 1 to 200 characters', { min: 1, max: 200 });
  if (input.id !== undefined && !COMPANY_ID_PATTERN.test(input.id)) {
    throw invalidField(
      'id',
      'company_id_format',
      'must look like comp_bella_vista: "comp_" then lowercase letters, digits or _',
    );
  }
  let id = input.id ?? companyIdFromName(name);
  for (let attempt = 0; ; attempt++) {
    try {
      // One transaction per id tried: a unique violation aborts a PostgreSQL transaction.
      const companyId = id;
      const { key } = await runInTransaction(db, async (trx) => {
        await trx
          .insertInto('companies')
          .values({ id: companyId, name, created_at: now.toISOString() })
          .execute();
        const created = await createApiKey(trx, companyId, { readOnly: false, now });
        return { company_id: companyId, key: created.key };
      });
      return { company_id: id, name, api_key: key };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (input.id !== undefined) throw new ZupyError('ZUPY_CONFLICT', `company ${id} already exists`);
      if (attempt >= 5) throw error;
      id = `${companyIdFromName(name)}_${randomChars(UPPER_HEX, 4).toLowerCase()}`;
    }
  }
}
