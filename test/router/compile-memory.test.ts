// What the compile cache keeps per Ingress is memory in every thread that compiles (the primary and each worker):
// with bench/'s 10 000-Ingress table, 13 MiB of each thread's heap. The lists it keeps are exactly as long as
// their items (model/compact-list.ts); with spare slots (prepared rules, each host's Ingresses, routes and
// matchers) this table measured 2 490–2 540 bytes per Ingress, without them 2 000.
import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { defaultCompileOptions } from '../../src/model/index.ts';
import { CompileCache, compile } from '../../src/router/index.ts';
import { settleHeap } from '../../src/workers/settle-heap.ts';
import { ingress, snapshotOf } from './builders.ts';

const count = 4000;

/** bench/'s table in small: one host per Ingress, a Prefix and an Exact path, Services shared by many Ingresses. */
function table() {
  return snapshotOf(
    Array.from({ length: count }, (_, i) =>
      ingress({
        name: `ing-${i}`,
        rules: [{ host: `h${i}.table.test`, paths: [{ path: `/p${i % 26}`, pathType: 'Prefix', service: `svc-${i % 100}` }, { path: `/p${i % 26}/exact`, pathType: 'Exact', service: `svc-${i % 100}` }] }],
      }),
    ),
  );
}

describe('the compile cache', () => {
  it('keeps no spare list slots: its state per Ingress stays within budget', async () => {
    const snapshot = table();
    await new Promise((resolve) => setTimeout(resolve, 0));
    settleHeap();
    const before = getHeapStatistics().used_heap_size;
    const cache = new CompileCache();
    const { diagnostics } = compile(snapshot, defaultCompileOptions, undefined, cache);
    settleHeap();
    const perIngress = (getHeapStatistics().used_heap_size - before) / count;
    expect(diagnostics).toEqual([]);
    expect(cache.compiledHosts).toBe(count + 1);
    expect(perIngress, `${perIngress.toFixed(0)} bytes per Ingress`).toBeLessThan(2200);
  });
});
