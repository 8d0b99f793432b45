import type { Kysely } from 'kysely';
import type { CustomerRow, Tables } from '../../db/tables.js';

/** Whose data a section reads: the customer's row, read in the export's transaction. */
export interface ExportSubject {
  companyId: string;
  memberId: string;
  customer: CustomerRow;
  /** The export's time: what reads as expired is judged at it. */
  now: Date;
}

/**
 * One part of a customer's export (customers/export-customer.ts puts them in one document, in
 * order, each under its `key`): everything one table or feature holds about the person. A feature
 * that stores data about a member (coupons, orders) adds its section to `EXPORT_SECTIONS`, and its
 * erasure step to `ERASURE_STEPS`.
 */
export interface ExportSection {
  key: string;
  read(db: Kysely<Tables>, subject: ExportSubject): Promise<unknown>;
}
