import { createHash } from 'node:crypto';
import type { AuditLogRow } from '../db/tables.js';

export type AuditFields = Pick<
  AuditLogRow,
  'company_id' | 'at' | 'actor' | 'key_prefix' | 'address' | 'action' | 'target_id' | 'status'
>;

/**
 * The chain link of an audit entry: sha256 over the previous entry's hash and this entry's fields.
 * Changing or removing an entry in the middle of a company's log breaks every later link.
 */
export function auditHash(prevHash: string, entry: AuditFields): string {
  const fields = [
    prevHash,
    entry.company_id,
    entry.at,
    entry.actor,
    entry.key_prefix,
    entry.address,
    entry.action,
    entry.target_id,
    entry.status,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}
