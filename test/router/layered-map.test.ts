// A routing table's host maps are derived from the previous table's (layered-map.ts): every version must read as
// the Map it stands for — through any number of overlays and merges — and no later version may change an earlier
// one, which may still be serving requests in flight.
import { describe, expect, it } from 'vitest';
import { LayeredMap } from '../../src/router/layered-map.ts';
import { random } from '../support/random.ts';

function contents(map: LayeredMap<number>, keys: readonly string[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const key of keys) {
    const value = map.get(key);
    if (value !== undefined) seen.set(key, value);
  }
  return seen;
}

describe('LayeredMap', () => {
  const keys = Array.from({ length: 400 }, (_, i) => `h${i}.test`);

  it('reads as the Map of its changes, and leaves every earlier version as it was', () => {
    for (const seed of [1, 2, 3]) {
      const next = random(seed);
      let map = LayeredMap.empty<number>();
      const reference = new Map<string, number>();
      const history: Array<{ map: LayeredMap<number>; expected: Map<string, number> }> = [];
      for (let step = 0; step < 300; step++) {
        // Mostly a few changes, sometimes hundreds (a first compile, a relist): both overlay and merge are taken.
        const count = next() < 0.05 ? 300 : 1 + Math.floor(next() * 4);
        const changes: Array<[string, number | undefined]> = [];
        for (let c = 0; c < count; c++) {
          const key = keys[Math.floor(next() * keys.length)]!;
          const value = next() < 0.3 ? undefined : step * 1000 + c;
          changes.push([key, value]);
          if (value === undefined) reference.delete(key);
          else reference.set(key, value);
        }
        map = map.with(changes);
        expect(contents(map, keys), `seed ${seed}, step ${step}`).toEqual(reference);
        expect(map.size).toBe(reference.size);
        expect(new Set(map.values())).toEqual(new Set(reference.values()));
        expect([...map.values()]).toHaveLength(reference.size);
        history.push({ map, expected: new Map(reference) });
      }
      for (const { map: old, expected } of history) expect(contents(old, keys)).toEqual(expected);
    }
  });

  it('a key set back to its value in the base reads as that value', () => {
    const base = LayeredMap.empty<number>().with(keys.map((key, i) => [key, i] as const));
    const edited = base.with([['h1.test', 99]]).with([['h1.test', 1]]);
    expect(edited.get('h1.test')).toBe(1);
    expect(edited.size).toBe(keys.length);
  });
});
