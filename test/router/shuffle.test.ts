// compile's output must depend on the set of objects, not on the order a source lists them in.
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/index.ts';
import { compiledView, goldenCases, readGoldenInput } from './golden-support.ts';
import { loadCase } from './load-objects.ts';
import { random, shuffled } from '../support/random.ts';

function permute(snapshot: Snapshot, seed: number): Snapshot {
  const next = random(seed);
  return {
    ingresses: shuffled(snapshot.ingresses, next),
    ingressClasses: shuffled(snapshot.ingressClasses, next),
    services: shuffled(snapshot.services, next),
    secrets: snapshot.secrets,
    configMap: snapshot.configMap,
  };
}

const seeds = [1, 2, 3, 42, 1337, 20240601];

describe('input order does not change the compiled table or diagnostics', () => {
  it.each(goldenCases())('%s', (name) => {
    const { snapshot, options } = loadCase(readGoldenInput(name));
    const expected = compiledView(snapshot, options);
    const reversed = {
      ...snapshot,
      ingresses: [...snapshot.ingresses].reverse(),
      services: [...snapshot.services].reverse(),
    };
    expect(compiledView(reversed, options)).toEqual(expected);
    for (const seed of seeds) expect(compiledView(permute(snapshot, seed), options)).toEqual(expected);
  });

  it('actually reorders the inputs it feeds (guards against a no-op shuffle)', () => {
    const { snapshot } = loadCase(readGoldenInput('conflicts'));
    const orders = new Set(seeds.map((seed) => permute(snapshot, seed).ingresses.map((i) => i.metadata.name).join()));
    expect(orders.size).toBeGreaterThan(1);
  });
});
