import { describe, expect, it } from 'vitest';
import { claimOrder } from './delivery-store.js';

const endpoint = (id: string, company: string) => ({ id, company_id: company });
const ids = (list: readonly { id: string }[]) => list.map((e) => e.id);
const idle = () => 0;

// Four endpoints of a busy company, one of a small one, two of a third, listed company by company.
const ENDPOINTS = [
  endpoint('a1', 'A'),
  endpoint('a2', 'A'),
  endpoint('a3', 'A'),
  endpoint('a4', 'A'),
  endpoint('b1', 'B'),
  endpoint('c1', 'C'),
  endpoint('c2', 'C'),
];

describe('claimOrder', () => {
  it('takes one endpoint of each company in turn', () => {
    expect(ids(claimOrder(ENDPOINTS, 0, idle))).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3', 'a4']);
  });

  it('rotates the companies and each company’s endpoints one further each claim, every endpoint kept once', () => {
    expect(ids(claimOrder(ENDPOINTS, 1, idle))).toEqual(['b1', 'c2', 'a2', 'c1', 'a3', 'a4', 'a1']);
    expect(ids(claimOrder(ENDPOINTS, 2, idle))).toEqual(['c1', 'a3', 'b1', 'c2', 'a4', 'a1', 'a2']);
    for (let round = 0; round < 12; round++)
      expect(ids(claimOrder(ENDPOINTS, round, idle)).sort()).toEqual(ids(ENDPOINTS).sort());
    // Over as many claims as the busy company has endpoints, each of them is its first once.
    const firstOfA = [0, 1, 2, 3].map((round) =>
      ids(claimOrder(ENDPOINTS, round, idle)).find((id) => id[0] === 'a'),
    );
    expect(firstOfA.sort()).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('puts a company with nothing under way first in every round, whatever the rotation', () => {
    // A and C have requests under way; B (listed fifth) has none.
    const load = (company: string) => ({ A: 40, B: 0, C: 3 })[company] ?? 0;
    for (let round = 0; round < 6; round++) {
      const order = ids(claimOrder(ENDPOINTS, round, load));
      expect(order[0]).toBe('b1');
      // The less busy of the two others next.
      expect(order[1]?.[0]).toBe('c');
    }
  });

  it('breaks ties in load by the rotation, and keeps companies of equal load interleaved', () => {
    const load = (company: string) => (company === 'A' ? 1 : 5);
    expect(ids(claimOrder(ENDPOINTS, 0, load))).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3', 'a4']);
    expect(ids(claimOrder(ENDPOINTS, 1, load))).toEqual(['a2', 'b1', 'c2', 'a3', 'c1', 'a4', 'a1']);
    expect(ids(claimOrder(ENDPOINTS, 2, load))).toEqual(['a3', 'c1', 'b1', 'a4', 'c2', 'a1', 'a2']);
  });

  it('returns nothing for no endpoints and the one for one', () => {
    expect(claimOrder([], 3, idle)).toEqual([]);
    expect(ids(claimOrder([endpoint('x', 'X')], 5, idle))).toEqual(['x']);
  });
});
