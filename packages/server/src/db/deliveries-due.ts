import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';

/**
 * "Deliveries are due": a transaction that scheduled deliveries (recorded an event, replayed,
 * re-enabled an endpoint) marks itself, and `runInTransaction` tells the database's listener once it
 * has committed — never before (the worker would find nothing) and never for a rollback. Feature code
 * marks; it never decides by hand whether to wake the worker.
 */
const marked = new WeakSet<Kysely<Tables>>();
const listeners = new WeakMap<Kysely<Tables>, () => void>();

/** Marks the transaction `trx` as having scheduled deliveries. */
export function markDeliveriesDue(trx: Kysely<Tables>): void {
  marked.add(trx);
}

/** Whether `trx` was marked since the last call; clears the mark. */
export function takeDeliveriesDueMark(trx: Kysely<Tables>): boolean {
  return marked.delete(trx);
}

/** Calls `listener` after each committed transaction on `db` that marked deliveries due. */
export function onDeliveriesDue(db: Kysely<Tables>, listener: () => void): void {
  listeners.set(db, listener);
}

export function deliveriesDueListener(db: Kysely<Tables>): (() => void) | undefined {
  return listeners.get(db);
}
