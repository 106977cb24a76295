// settleHeap() collects what the first load left before traffic comes (src/workers/settle-heap.ts), and leaves
// --expose-gc off again: no later context gets a `gc` global.
import { getHeapStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { settleHeap } from '../../src/workers/settle-heap.ts';

describe('settleHeap', () => {
  it('collects garbage now, and exposes no gc() afterwards', async () => {
    let garbage: object | undefined = { rows: Array.from({ length: 1000 }, (_, i) => ({ i })) };
    const ref = new WeakRef(garbage);
    garbage = undefined;
    // A WeakRef's target is kept until the job that made the WeakRef has ended.
    await new Promise((resolve) => setTimeout(resolve, 0));
    settleHeap();
    expect(ref.deref()).toBeUndefined();
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });

  it('gives the freed pages back: the committed heap shrinks to near what is live', () => {
    // A fragmented old generation, as a big first load leaves it: one object in ten survives.
    const survivors: object[] = [];
    let batch: object[] = [];
    for (let i = 0; i < 1_500_000; i++) {
      const row = { i, name: `row-${i}`, list: [i] };
      if (i % 10 === 0) survivors.push(row);
      else batch.push(row);
      if (batch.length > 400_000) batch = [];
    }
    batch = [];
    const before = getHeapStatistics();
    settleHeap();
    const after = getHeapStatistics();
    const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
    // A plain full GC frees the objects but keeps the pages: committed − used stayed ≈ 250 MiB here.
    expect(mib(after.total_heap_size - after.used_heap_size), `committed ${mib(before.total_heap_size)} → ${mib(after.total_heap_size)} MiB`).toBeLessThan(48);
    expect(survivors).toHaveLength(150_000);
  });
});
