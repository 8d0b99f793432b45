import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expiredPoints } from './point-expiry.js';

/** An operation at a day: a credit (a lot) or a request to spend up to `amount`. */
type Op = { day: number; kind: 'credit' | 'debit'; amount: number };

const N = 30;

/** The reference: lots in a queue, each spend taking from the oldest, each lot expiring at day + N. */
function lotsModel(ops: Op[]): { balances: number[]; expired: number } {
  const lots: { day: number; left: number }[] = [];
  let expired = 0;
  const balances: number[] = [];
  for (const op of ops) {
    for (const lot of lots)
      if (lot.day <= op.day - N) {
        expired += lot.left;
        lot.left = 0;
      }
    if (op.kind === 'credit') lots.push({ day: op.day, left: op.amount });
    else {
      let want = Math.min(
        op.amount,
        lots.reduce((s, l) => s + l.left, 0),
      );
      for (const lot of lots) {
        const take = Math.min(lot.left, want);
        lot.left -= take;
        want -= take;
      }
    }
    balances.push(lots.reduce((s, l) => s + l.left, 0));
  }
  return { balances, expired };
}

/** Zupy's way: a ledger of credits and debits, what is due computed from two sums before each op. */
function ledgerModel(ops: Op[]): { balances: number[]; expired: number } {
  const ledger: { day: number; delta: number }[] = [];
  let balance = 0;
  let expired = 0;
  const balances: number[] = [];
  for (const op of ops) {
    const oldCredits = ledger
      .filter((e) => e.delta > 0 && e.day <= op.day - N)
      .reduce((s, e) => s + e.delta, 0);
    const debits = ledger.filter((e) => e.delta < 0).reduce((s, e) => s - e.delta, 0);
    const due = expiredPoints(oldCredits, debits);
    if (due > 0) {
      ledger.push({ day: op.day, delta: -due });
      balance -= due;
      expired += due;
    }
    const delta = op.kind === 'credit' ? op.amount : -Math.min(op.amount, balance);
    if (delta !== 0) ledger.push({ day: op.day, delta });
    balance += delta;
    balances.push(balance);
  }
  return { balances, expired };
}

describe('point expiry, first in first out', () => {
  it('is max(0, credits up to the cutoff − all debits)', () => {
    expect(expiredPoints(100, 150)).toBe(0);
    expect(expiredPoints(2500, 150)).toBe(2350);
    expect(expiredPoints(0, 0)).toBe(0);
  });

  it('expires exactly what a queue of lots would, whatever the credits, spends and their timing', () => {
    const opArb = fc.record({
      gap: fc.integer({ min: 0, max: 20 }),
      kind: fc.constantFrom('credit' as const, 'debit' as const),
      amount: fc.integer({ min: 1, max: 1000 }),
    });
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (raw) => {
        let day = 0;
        const ops = raw.map(({ gap, kind, amount }) => ({ day: (day += gap), kind, amount }));
        // A final read long after: everything left expires in both.
        ops.push({ day: day + N + 1, kind: 'debit', amount: 0 });
        expect(ledgerModel(ops)).toEqual(lotsModel(ops));
      }),
    );
  });
});
