// nginx limit_req arithmetic with an injected clock (no timers): burst+1 at once, then one per 1/rate, rejected
// requests consume nothing, rpm's integer truncation, all limits must admit. The shared table's memory rules are in rate-limit-shared.test.ts.
import { describe, expect, it } from 'vitest';
import { requestLimit, rateLimitFeature } from '../../src/router/annotations/rate-limit-feature.ts';
import { NodeRateLimits } from '../../src/proxy/rate-limit/node-limits.ts';
import type { RateLimit } from '../../src/model/index.ts';

const meta = { namespace: 'ns', name: 'ing', uid: 'u1', resourceVersion: '', creationTimestamp: '', annotations: {}, labels: {} };

function limitOf(rps: number, rpm = 0, multiplier = 5, connections = 0): RateLimit {
  return rateLimitFeature(meta, { rps, rpm, connections, burstMultiplier: multiplier, allowlist: [] });
}

/** How many of `count` requests at instant `now` are admitted. */
function burstAt(limits: NodeRateLimits, limit: RateLimit, key: string, now: number, count: number): number {
  let admitted = 0;
  for (let i = 0; i < count; i++) if (limits.admit(limit, key, now).admitted) admitted++;
  return admitted;
}

describe('nginx limit_req arithmetic', () => {
  it('converts rates as nginx does: r/s × 1000, r/m × 1000 / 60 truncated, burst × multiplier × 1000', () => {
    expect(requestLimit('z', 10, 1, 5)).toMatchObject({ rate: 10_000, burst: 50_000 });
    expect(requestLimit('z', 1, 60, 5)).toMatchObject({ rate: 16, burst: 5000 });
    expect(requestLimit('z', 100, 60, 2)).toMatchObject({ rate: 1666, burst: 200_000 });
  });

  it('limit-rps 1: a fresh client gets burst+1 = 6 at once, the 7th is refused, then one per second', () => {
    const limits = new NodeRateLimits();
    const limit = limitOf(1);
    expect(burstAt(limits, limit, 'a', 1000, 10)).toBe(6);
    expect(burstAt(limits, limit, 'a', 1999, 1)).toBe(0); // 999 ms drain 999 milli-requests: not enough
    expect(burstAt(limits, limit, 'a', 2000, 3)).toBe(1);
    expect(burstAt(limits, limit, 'a', 4000, 5)).toBe(2);
  });

  it('limit-rps 10: 51 at once (burst 50 + 1), then one per 100 ms', () => {
    const limits = new NodeRateLimits();
    expect(burstAt(limits, limitOf(10), 'a', 0, 100)).toBe(51);
    expect(burstAt(limits, limitOf(10), 'a', 100, 5)).toBe(1);
    expect(burstAt(limits, limitOf(10), 'a', 350, 5)).toBe(2);
  });

  it('rejected requests do not consume budget: hammering does not delay the next admission', () => {
    const limits = new NodeRateLimits();
    const limit = limitOf(1);
    burstAt(limits, limit, 'a', 0, 6);
    for (let t = 1; t < 1000; t += 10) expect(limits.admit(limit, 'a', t).admitted).toBe(false);
    expect(limits.admit(limit, 'a', 1000).admitted).toBe(true);
  });

  it('limit-rpm 1 with the default multiplier: 6 at once, the next after 62.5 s (integer truncation), not 60 s', () => {
    const limits = new NodeRateLimits();
    const limit = limitOf(0, 1);
    expect(burstAt(limits, limit, 'a', 0, 10)).toBe(6);
    expect(burstAt(limits, limit, 'a', 62_499, 1)).toBe(0);
    expect(burstAt(limits, limit, 'a', 62_500, 2)).toBe(1);
  });

  it('limit-burst-multiplier 1: burst = limit, so 2 at once for limit-rps 1', () => {
    expect(burstAt(new NodeRateLimits(), limitOf(1, 0, 1), 'a', 0, 5)).toBe(2);
  });

  it('rps and rpm together: any one refuses, and then neither is charged', () => {
    const limits = new NodeRateLimits();
    const limit = limitOf(100, 2, 1); // rpm: 3 at once; rps: 101
    expect(burstAt(limits, limit, 'a', 0, 10)).toBe(3);
    const rps = limits.buckets.stateOf('ns/ing/u1/rps', 'a')!;
    expect(rps.excess).toBe(2000); // 3 admissions (0, 1000, 2000); the 7 refusals left it alone
  });

  it('clients and Ingresses have independent budgets', () => {
    const limits = new NodeRateLimits();
    expect(burstAt(limits, limitOf(1), 'a', 0, 10)).toBe(6);
    expect(burstAt(limits, limitOf(1), 'b', 0, 10)).toBe(6);
    const other = rateLimitFeature({ ...meta, name: 'other' }, { rps: 1, rpm: 0, connections: 0, burstMultiplier: 5, allowlist: [] });
    expect(burstAt(limits, other, 'a', 0, 10)).toBe(6);
  });

  it('Retry-After time: when the next request would be admitted', () => {
    const limits = new NodeRateLimits();
    burstAt(limits, limitOf(1), 'a', 0, 6);
    const verdict = limits.admit(limitOf(1), 'a', 250);
    expect(verdict).toMatchObject({ admitted: false, kind: 'rate', retryAfterMs: 750 });
  });

  it('limit-connections counts requests in progress and frees a slot on release', () => {
    const limits = new NodeRateLimits();
    const limit = limitOf(0, 0, 5, 2);
    const first = limits.admit(limit, 'a', 0);
    const second = limits.admit(limit, 'a', 0);
    expect(limits.admit(limit, 'a', 0)).toMatchObject({ admitted: false, kind: 'connections' });
    expect(limits.admit(limit, 'b', 0).admitted).toBe(true);
    if (first.admitted) first.release?.();
    expect(second.admitted).toBe(true);
    expect(limits.admit(limit, 'a', 0).admitted).toBe(true);
  });
});
