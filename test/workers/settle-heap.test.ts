// settleHeap() collects what the first load left before traffic comes (src/workers/settle-heap.ts), and leaves
// --expose-gc off again: no later context gets a `gc` global.
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
});
