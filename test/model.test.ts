import { describe, expect, it } from 'vitest';
import { compactList, compareNames, formatRef, sharedIfEmptyList } from '../src/model/index.ts';

describe('formatRef', () => {
  it('names namespaced and cluster-scoped objects', () => {
    expect(formatRef({ kind: 'Ingress', namespace: 'default', name: 'web' })).toBe('Ingress default/web');
    expect(formatRef({ kind: 'IngressClass', namespace: '', name: 'nginx' })).toBe('IngressClass nginx');
  });
});

describe('compareNames (the order of every list in a SourceUpdate)', () => {
  it('namespace first, then name; a namespace that prefixes another sorts before it', () => {
    const names = [
      { namespace: 'a-b', name: 'x' },
      { namespace: 'a', name: 'y' },
      { namespace: '', name: 'z' },
      { namespace: 'a', name: 'x' },
    ];
    // A `namespace/name` string would put a-b/x first ('-' < '/').
    expect([...names].sort(compareNames)).toEqual([
      { namespace: '', name: 'z' },
      { namespace: 'a', name: 'x' },
      { namespace: 'a', name: 'y' },
      { namespace: 'a-b', name: 'x' },
    ]);
    expect(compareNames({ namespace: 'a', name: 'x' }, { namespace: 'a', name: 'x' })).toBe(0);
  });
});

describe('compactList (a kept list without spare slots)', () => {
  it('copies the items into a new list, in order', () => {
    const grown: number[] = [];
    grown.push(1, 2, 3);
    const kept = compactList(grown);
    expect(kept).toEqual([1, 2, 3]);
    expect(kept).not.toBe(grown);
  });

  it('gives every empty list the one shared, frozen empty list', () => {
    const a = compactList<string>([]);
    expect(a).toBe(compactList<number>([]));
    expect(a).toBe(sharedIfEmptyList([]));
    expect(Object.isFrozen(a)).toBe(true);
  });
});
