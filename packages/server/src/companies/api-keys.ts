import type { ApiKeyIdentity } from '../http/auth.js';
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { preparedQuery } from '../db/prepared-query.js';
import type { Tables } from '../db/tables.js';
import { ZupyError } from '../errors.js';
import { ALPHANUMERIC, newId, randomChars, type RandomBytes } from '../shared/random-chars.js';

export const API_KEY_PATTERN = /^zupy_pk_[A-Za-z0-9]{32}$/;
/** `zupy_pk_` and the first 6 random characters: enough to tell keys apart in a listing. */
const PREFIX_LENGTH = 'zupy_pk_'.length + 6;

/**
 * API keys carry about 190 random bits, so a plain SHA-256 is the right hash: a slow password hash
 * would add nothing against guessing and cost every request.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(source: RandomBytes = randomBytes): string {
  return `zupy_pk_${randomChars(ALPHANUMERIC, 32, source)}`;
}

/** Creates a key and returns it in full: the only time it is ever shown. */
export async function createApiKey(
  db: Kysely<Tables>,
  companyId: string,
  options: { readOnly: boolean; now: Date },
): Promise<{ key: string; id: string; prefix: string }> {
  const company = await db
    .selectFrom('companies')
    .select('id')
    .where('id', '=', companyId)
    .executeTakeFirst();
  if (!company) throw new ZupyError('ZUPY_NOT_FOUND', `company ${companyId} not found`);
  const key = generateApiKey();
  const row = {
    id: newId('key'),
    company_id: companyId,
    prefix: key.slice(0, PREFIX_LENGTH),
    key_hash: hashApiKey(key),
    read_only: options.readOnly ? 1 : 0,
    created_at: options.now.toISOString(),
    revoked_at: null,
  };
  await db.insertInto('api_keys').values(row).execute();
  return { key, id: row.id, prefix: row.prefix };
}

/**
 * Revokes the live key whose listed prefix (`zupy_pk_` and 6 characters) is given, or the whole key.
 * `db` may be a transaction (the CLI's, which records the revocation in it).
 */
export async function revokeApiKey(
  db: Kysely<Tables>,
  prefix: string,
  now: Date,
): Promise<{ prefix: string; company_id: string }> {
  const whole = API_KEY_PATTERN.test(prefix);
  if (!whole && !(prefix.startsWith('zupy_pk_') && prefix.length === PREFIX_LENGTH)) {
    throw new ZupyError(
      'ZUPY_VALIDATION_FAILED',
      `give the key's first ${PREFIX_LENGTH} characters (zupy_pk_ and 6 more) or the whole key`,
    );
  }
  const candidates = await db
    .selectFrom('api_keys')
    .select(['id', 'prefix', 'key_hash', 'company_id'])
    .where('prefix', '=', prefix.slice(0, PREFIX_LENGTH))
    .where('revoked_at', 'is', null)
    .execute();
  const matches = whole ? candidates.filter((c) => c.key_hash === hashApiKey(prefix)) : candidates;
  const match = matches[0];
  if (match === undefined)
    throw new ZupyError('ZUPY_NOT_FOUND', `no active API key starts with ${prefix.slice(0, PREFIX_LENGTH)}`);
  if (matches.length > 1) {
    throw new ZupyError(
      'ZUPY_CONFLICT',
      `${matches.length} active keys start with ${prefix}; give the whole key`,
    );
  }
  await db
    .updateTable('api_keys')
    .set({ revoked_at: now.toISOString() })
    .where('id', '=', match.id)
    .execute();
  return { prefix: match.prefix, company_id: match.company_id };
}

/** Asked on every authenticated request. */
const activeKeyByHash = preparedQuery((db, arg: { hash: string }) =>
  db
    .selectFrom('api_keys')
    .select(['id', 'company_id', 'read_only', 'prefix'])
    .where('key_hash', '=', arg.hash)
    .where('revoked_at', 'is', null),
);

/** The company and permissions of a presented key, or `undefined` when it is unknown or revoked. */
export async function findApiKey(db: Kysely<Tables>, key: string): Promise<ApiKeyIdentity | undefined> {
  if (!API_KEY_PATTERN.test(key)) return undefined;
  const [row] = await activeKeyByHash.run(db, { hash: hashApiKey(key) });
  return row
    ? { keyId: row.id, keyPrefix: row.prefix, companyId: row.company_id, readOnly: row.read_only === 1 }
    : undefined;
}

export interface ApiKeySummary {
  prefix: string;
  read_only: boolean;
  created_at: string;
  revoked_at: string | null;
}

/** A company's keys, oldest first, revoked ones included: the prefix only, never the key or its hash. */
export async function listApiKeys(db: Kysely<Tables>, companyId: string): Promise<ApiKeySummary[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select(['prefix', 'read_only', 'created_at', 'revoked_at'])
    .where('company_id', '=', companyId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    prefix: r.prefix,
    read_only: r.read_only === 1,
    created_at: r.created_at,
    revoked_at: r.revoked_at,
  }));
}
