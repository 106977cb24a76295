import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Debouncer } from '../../src/watch/index.ts';

// Fake timers (and performance.now) make the holdoff/max-delay arithmetic exact and the tests instant.

interface Harness {
  debouncer: Debouncer;
  /** Times (fake ms since start) at which runs began. */
  runs: number[];
  errors: unknown[];
  /** When set, runs wait for this promise: lets a test hold a run "in progress". */
  gate: { promise?: Promise<void>; open?: () => void };
}

function harness(run?: () => Promise<void>, settleMs?: number): Harness {
  const start = performance.now();
  const h: Harness = { runs: [], errors: [], gate: {}, debouncer: undefined as unknown as Debouncer };
  h.debouncer = new Debouncer({
    holdoffMs: 100,
    maxDelayMs: 500,
    ...(settleMs === undefined ? {} : { settleMs }),
    run: async () => {
      h.runs.push(Math.round(performance.now() - start));
      await run?.();
      await h.gate.promise;
    },
    onError: (err) => h.errors.push(err),
  });
  return h;
}

function hold(h: Harness): void {
  h.gate.promise = new Promise<void>((resolve) => {
    h.gate.open = resolve;
  });
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Debouncer', () => {
  it('runs once, holdoff after the last signal of a burst', async () => {
    const h = harness();
    for (let i = 0; i < 5; i++) {
      h.debouncer.trigger();
      await vi.advanceTimersByTimeAsync(20);
    }
    // last trigger at t=80 → run at 180
    await vi.advanceTimersByTimeAsync(99 - 20);
    expect(h.runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.runs).toEqual([180]);
  });

  it('forces a run maxDelay after the first signal of continuous churn', async () => {
    const h = harness();
    for (let i = 0; i < 30; i++) {
      h.debouncer.trigger();
      await vi.advanceTimersByTimeAsync(50);
    }
    // signals every 50 ms for 1.5 s never leave a 100 ms gap: runs are forced every 500 ms
    expect(h.runs).toEqual([500, 1000, 1500]);
  });

  it('never runs concurrently: a signal during a run schedules exactly one more run after it', async () => {
    const h = harness();
    hold(h);
    h.debouncer.trigger();
    await vi.advanceTimersByTimeAsync(100);
    expect(h.runs).toEqual([100]);
    h.debouncer.trigger();
    h.debouncer.trigger();
    await vi.advanceTimersByTimeAsync(300); // the second run is due but the first is still in progress
    expect(h.runs).toEqual([100]);
    h.gate.promise = undefined;
    h.gate.open?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.runs).toEqual([100, 400]);
  });

  it('settled() waits for pending and running work, then resolves', async () => {
    const h = harness();
    await expect(h.debouncer.settled()).resolves.toBeUndefined();
    h.debouncer.trigger();
    let settled = false;
    void h.debouncer.settled().then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(50);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(50);
    expect(h.runs).toEqual([100]);
    expect(settled).toBe(true);
  });

  it('flush() runs immediately and resolves when done', async () => {
    const h = harness();
    h.debouncer.trigger();
    await h.debouncer.flush();
    expect(h.runs).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.runs).toEqual([0]); // the pending timer was consumed by the flush
  });

  it('reports a failing run to onError and keeps working', async () => {
    let fail = true;
    const h = harness(async () => {
      if (fail) throw new Error('boom');
    });
    await h.debouncer.flush();
    fail = false;
    h.debouncer.trigger();
    await vi.advanceTimersByTimeAsync(100);
    expect(h.errors).toEqual([new Error('boom')]);
    expect(h.runs).toHaveLength(2);
  });

  it('close() cancels pending work and settles', async () => {
    const h = harness();
    h.debouncer.trigger();
    h.debouncer.close();
    await expect(h.debouncer.settled()).resolves.toBeUndefined();
    h.debouncer.trigger();
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.runs).toEqual([]);
  });

  describe('settleMs (the fast path after a quiet period)', () => {
    it('serves an isolated signal settleMs after it, not holdoff', async () => {
      const h = harness(undefined, 10);
      h.debouncer.trigger();
      await vi.advanceTimersByTimeAsync(9);
      expect(h.runs).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(h.runs).toEqual([10]);
    });

    it('a burst costs two runs: the quick one, then one a holdoff after it', async () => {
      const h = harness(undefined, 10);
      for (let i = 0; i < 5; i++) {
        h.debouncer.trigger();
        await vi.advanceTimersByTimeAsync(20);
      }
      await vi.advanceTimersByTimeAsync(500);
      // signals at 0..80: the first served at 10; 20..80 wait for a holdoff after that run (110).
      expect(h.runs).toEqual([10, 110]);
    });

    it('churn every 100 ms: each change served settleMs after it, never more than one run per holdoff', async () => {
      const h = harness(undefined, 10);
      for (let i = 0; i < 5; i++) {
        h.debouncer.trigger();
        await vi.advanceTimersByTimeAsync(100);
      }
      expect(h.runs).toEqual([10, 110, 210, 310, 410]);
    });
  });
});
