// The node's shared rate-limit memory (src/proxy/rate-limit/shared-buckets.ts): nginx's expiry rules within a
// full set, a bounded table under a flood of addresses, and — with real worker threads hammering one
// SharedArrayBuffer — exact burst+1 admission and exact connection counts across threads.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { rateLimitFeature } from '../../src/router/annotations/rate-limit-feature.ts';
import { NodeRateLimits } from '../../src/proxy/rate-limit/node-limits.ts';
import { SharedBuckets, createBucketMemory } from '../../src/proxy/rate-limit/shared-buckets.ts';
import type { RateLimit } from '../../src/model/index.ts';

const meta = { namespace: 'ns', name: 'ing', uid: 'u1', resourceVersion: '', creationTimestamp: '', annotations: {}, labels: {} };
const limitOf = (rps: number, rpm = 0, connections = 0): RateLimit =>
  rateLimitFeature(meta, { rps, rpm, connections, burstMultiplier: 5, allowlist: [] });

/** Client keys that all land in set 0 of a one-set table (every key does: the table has one set). */
const keys = (n: number, prefix = 'c'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('shared bucket memory (one 8-slot set: nginx expiry, then LRU)', () => {
  const rps1 = limitOf(1).requests; // rate 1000, burst 5000

  it('a new client replaces an idle, drained one first — even before an older but undrained one', () => {
    const buckets = new SharedBuckets(createBucketMemory(1));
    const slow = limitOf(0, 1).requests; // limit-rpm 1: 5000 milli-requests take 312.5 s to drain
    for (let i = 0; i < 6; i++) buckets.admitRequests(slow, 'undrained', 0); // excess 5000 at t=0, oldest entry
    for (const key of keys(7)) buckets.admitRequests(rps1, key, 1000); // fills the set; all drained by t=61 s
    buckets.admitRequests(rps1, 'c0', 2000); // c0 most recently used
    buckets.admitRequests(rps1, 'newcomer', 61_500);
    expect(buckets.stateOf(slow[0]!.zone, 'undrained')).toBeDefined();
    expect(buckets.stateOf(rps1[0]!.zone, 'c1')).toBeUndefined(); // the least recently used drained entry
    expect(buckets.stateOf(rps1[0]!.zone, 'c0')).toBeDefined();
    expect(buckets.size).toBe(8);
  });

  it('with nothing expired, the least recently used entry goes, and comes back fresh (burst + 1)', () => {
    const buckets = new SharedBuckets(createBucketMemory(1));
    for (const [i, key] of keys(8).entries()) for (let n = 0; n < 6; n++) buckets.admitRequests(rps1, key, i);
    expect(buckets.admitRequests(rps1, 'c0', 10)).toBeGreaterThanOrEqual(0); // c0 is out of budget
    buckets.admitRequests(rps1, 'newcomer', 10);
    expect(buckets.stateOf(rps1[0]!.zone, 'c0')).toBeUndefined();
    let admitted = 0;
    for (let n = 0; n < 10; n++) if (buckets.admitRequests(rps1, 'c0', 11) < 0) admitted++;
    expect(admitted).toBe(6);
  });

  it('a client with a request in progress keeps its connection count while the set churns', () => {
    const limits = new NodeRateLimits(createBucketMemory(1), () => 0);
    const limit = limitOf(0, 0, 1);
    const held = limits.admit(limit, 'holder', 0);
    expect(held.admitted).toBe(true);
    for (const key of keys(50)) limits.admit(limitOf(1), key, 5); // churns every other slot
    expect(limits.admit(limit, 'holder', 6)).toMatchObject({ admitted: false, kind: 'connections' });
    if (held.admitted) held.release?.();
    expect(limits.admit(limit, 'holder', 7).admitted).toBe(true);
  });

  it('a flood of 200 000 distinct clients never grows the table beyond its fixed size', () => {
    const memory = createBucketMemory(64);
    const buckets = new SharedBuckets(memory);
    for (let i = 0; i < 200_000; i++) buckets.admitRequests(rps1, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, i >> 10);
    expect(buckets.size).toBe(64 * 8);
    expect(memory.byteLength).toBe(64 * 320);
    // The newest clients are remembered, the first ones were pushed out.
    expect(buckets.stateOf(rps1[0]!.zone, '10.3.13.63')).toBeDefined();
    expect(buckets.stateOf(rps1[0]!.zone, '10.0.0.0')).toBeUndefined();
  });
});

/** Runs `script` (an ES module body) in `threads` worker threads sharing `memory`; resolves their results. */
function inThreads(threads: number, memory: SharedArrayBuffer, script: string): Promise<number[]> {
  const moduleUrl = new URL('../../src/proxy/rate-limit/node-limits.ts', import.meta.url).href;
  const featureUrl = new URL('../../src/router/annotations/rate-limit-feature.ts', import.meta.url).href;
  const code = `
    import { workerData, parentPort } from 'node:worker_threads';
    const { NodeRateLimits } = await import(${JSON.stringify(moduleUrl)});
    const { rateLimitFeature } = await import(${JSON.stringify(featureUrl)});
    const meta = ${JSON.stringify(meta)};
    const limitOf = (rps, rpm = 0, connections = 0) => rateLimitFeature(meta, { rps, rpm, connections, burstMultiplier: 5, allowlist: [] });
    const limits = new NodeRateLimits(workerData.memory, () => 0);
    const gate = new Int32Array(workerData.gate);
    Atomics.add(gate, 0, 1);
    while (Atomics.load(gate, 0) < workerData.threads) {} // start together, so the threads really contend
    ${script}
  `;
  const gate = new SharedArrayBuffer(4);
  return Promise.all(
    Array.from({ length: threads }, () =>
      new Promise<number>((resolve, reject) => {
        const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: { memory, gate, threads } });
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
    ),
  );
}

describe('shared across worker threads', () => {
  it('four threads hammering one client at one instant admit exactly burst + 1 = 6 in total', async () => {
    const memory = createBucketMemory();
    const admitted = await inThreads(4, memory, `
      let n = 0;
      for (let i = 0; i < 20000; i++) if (limits.admit(limitOf(1), 'client', 1000).admitted) n++;
      parentPort.postMessage(n);
    `);
    expect(admitted.reduce((a, b) => a + b, 0)).toBe(6);
    // The same memory, read from this thread: the bucket is full (excess = burst).
    expect(new SharedBuckets(memory).stateOf(limitOf(1).requests[0]!.zone, 'client')).toMatchObject({ excess: 5000, last: 1000 });
  });

  it('limit-connections 3 across four threads: never more than 3 in progress, and every slot comes back', async () => {
    const memory = createBucketMemory();
    const peaks = await inThreads(4, memory, `
      const limit = limitOf(0, 0, 3);
      const held = [];
      let admittedTotal = 0;
      for (let round = 0; round < 2000; round++) {
        const verdict = limits.admit(limit, 'client', 0);
        if (verdict.admitted) { admittedTotal++; held.push(verdict); }
        if (held.length > 0 && (round & 1)) held.shift().release();
      }
      for (const verdict of held) verdict.release();
      parentPort.postMessage(admittedTotal);
    `);
    expect(peaks.reduce((a, b) => a + b, 0)).toBeGreaterThan(3);
    const limits = new NodeRateLimits(memory, () => 0);
    const limit = limitOf(0, 0, 3);
    // All released: exactly 3 fit again, the 4th is refused.
    expect([1, 2, 3, 4].map(() => limits.admit(limit, 'client', 0).admitted)).toEqual([true, true, true, false]);
  });
});
