import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { IdempotentOperation, Tables } from '../db/tables.js';
import { ZupyError, invalidField } from '../errors.js';

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** A stable fingerprint of what a request asks for, to tell a retry from a different request. */
export function requestFingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw invalidField(
      'Idempotency-Key',
      'idempotency_key_invalid',
      'must be 1 to 255 printable ASCII characters without spaces',
    );
  }
  return key;
}

/** What a key is scoped to: one company's operation on one member (issue 24). */
export interface IdempotencyScope {
  companyId: string;
  memberId: string;
  operation: IdempotentOperation;
  key: string | undefined;
  fingerprint: string;
  now: Date;
}

/**
 * Runs `operation` once per key, inside the caller's transaction. A key is scoped to
 * `(company, member, operation)`: the same key and request replays the stored answer (nothing is
 * applied twice); the same key with another request in that scope is a 422; the same key for another
 * member or another operation is a new request. Only successes are stored, so a request that failed
 * may be retried with its key.
 */
export async function withIdempotency<T>(
  trx: Kysely<Tables>,
  scope: IdempotencyScope,
  operation: () => Promise<T>,
): Promise<T> {
  if (scope.key === undefined) return operation();
  const stored = await trx
    .selectFrom('idempotency_keys')
    .select(['fingerprint', 'response_body'])
    .where('company_id', '=', scope.companyId)
    .where('member_id', '=', scope.memberId)
    .where('operation', '=', scope.operation)
    .where('key', '=', scope.key)
    .executeTakeFirst();
  if (stored) {
    if (stored.fingerprint !== scope.fingerprint) {
      throw new ZupyError(
        'ZUPY_IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used with a different request; use a new key for a new operation',
        {
          fieldErrors: [
            {
              field: 'Idempotency-Key',
              code: 'idempotency_key_reused',
              detail: 'already used with a different request',
            },
          ],
        },
      );
    }
    return JSON.parse(stored.response_body) as T;
  }
  const result = await operation();
  await trx
    .insertInto('idempotency_keys')
    .values({
      company_id: scope.companyId,
      member_id: scope.memberId,
      operation: scope.operation,
      key: scope.key,
      fingerprint: scope.fingerprint,
      response_status: 200,
      response_body: JSON.stringify(result),
      created_at: scope.now.toISOString(),
    })
    .execute();
  return result;
}
