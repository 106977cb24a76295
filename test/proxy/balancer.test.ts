import { describe, expect, it } from 'vitest';
import { Balancers } from '../../src/proxy/balancer/balancers.ts';
import { RoundRobin } from '../../src/proxy/index.ts';
import { backend } from './helpers/objects.ts';
import { forward, testTable } from './helpers/route-table.ts';

function counts(picks: number[], length: number): number[] {
  const out = new Array<number>(length).fill(0);
  for (const p of picks) out[p]!++;
  return out;
}

describe('RoundRobin', () => {
  it('cycles through the list in order', () => {
    const rr = new RoundRobin();
    expect(Array.from({ length: 7 }, () => rr.pick(3))).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('returns -1 for an empty list', () => {
    expect(new RoundRobin().pick(0)).toBe(-1);
  });

  it.each([
    ['grows', [2, 3]],
    ['shrinks', [3, 2]],
    ['flaps', [2, 3, 2, 4, 1, 3]],
  ])('stays even when the list %s between requests', (_name, lengths) => {
    const rr = new RoundRobin(12345);
    for (const length of lengths) {
      const picks = Array.from({ length: length * 100 }, () => rr.pick(length));
      expect(picks.every((p) => p >= 0 && p < length)).toBe(true);
      expect(counts(picks, length)).toEqual(new Array<number>(length).fill(100));
    }
  });

  it('spreads a shrinking list evenly even mid-cycle', () => {
    const rr = new RoundRobin();
    rr.pick(5);
    rr.pick(5);
    rr.pick(5); // cursor now at 3, beyond a 2-element list
    const picks = Array.from({ length: 10 }, () => rr.pick(2));
    expect(counts(picks, 2)).toEqual([5, 5]);
  });
});

describe('Balancers', () => {
  it('keeps one cursor per backend and prunes backends the table no longer has', () => {
    const balancers = new Balancers(() => 0);
    const a = backend('a');
    const b = backend('b');
    const first = balancers.for(a.key);
    first.pick(2);
    expect(balancers.for(a.key)).toBe(first);
    balancers.for(b.key);
    balancers.pruneFor(testTable([{ action: forward(a) }]));
    expect(balancers.size).toBe(1);
    expect(balancers.for(a.key)).toBe(first);
  });
});
