// The read-timeout sweep on its own: what fires, when, and that the interval does not outlive the waits.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ReadDeadlines, type ReadWaiter } from '../../src/proxy/forward/read-deadlines.ts';

const tickMs = 20;
let deadlines: ReadDeadlines;

afterEach(() => deadlines.close());

/** Polls until `done` (a loaded CI machine delays timers: the checks are about order, not punctuality). */
async function until(done: () => boolean): Promise<void> {
  for (const start = performance.now(); !done(); await sleep(5)) {
    if (performance.now() - start > 5_000) throw new Error('waited 5 s');
  }
}

/** A waiter whose deadline is `ms` from now; records when it timed out. */
function waiter(ms: number): ReadWaiter & { firedAt: number | null } {
  return {
    readDeadline: performance.now() + ms,
    readPrev: null,
    readNext: null,
    firedAt: null,
    readTimedOut() {
      this.firedAt = performance.now();
    },
  };
}

describe('ReadDeadlines', () => {
  it('times a waiter out at its deadline, at most a tick (plus scheduling) late, and only once', async () => {
    deadlines = new ReadDeadlines(tickMs);
    const start = performance.now();
    const w = waiter(60);
    deadlines.watch(w);
    await until(() => w.firedAt !== null);
    expect(w.firedAt! - start).toBeGreaterThanOrEqual(60);
    // One tick late at most, plus generous room for a busy machine's timer delays.
    expect(w.firedAt! - start).toBeLessThan(60 + tickMs + 500);
    expect(deadlines.size).toBe(0);
    const first = w.firedAt;
    await sleep(3 * tickMs);
    expect(w.firedAt).toBe(first);
  });

  it('a deadline moved forward (progress) postpones the timeout; Infinity (paused) never fires', async () => {
    deadlines = new ReadDeadlines(tickMs);
    const moving = waiter(200);
    const paused = waiter(Number.POSITIVE_INFINITY);
    deadlines.watch(moving);
    deadlines.watch(paused);
    for (let i = 0; i < 5; i++) {
      await sleep(60);
      moving.readDeadline = performance.now() + 200;
    }
    // 300 ms in, past the first deadline: only the moves kept it from firing.
    expect(moving.firedAt).toBeNull();
    await until(() => moving.firedAt !== null);
    expect(paused.firedAt).toBeNull();
    expect(deadlines.size).toBe(1);
  });

  it('an unwatched waiter never fires', async () => {
    deadlines = new ReadDeadlines(tickMs);
    const w = waiter(10);
    deadlines.watch(w);
    deadlines.unwatch(w);
    await sleep(10 + 3 * tickMs);
    expect(w.firedAt).toBeNull();
  });

  it('a waiter timed out in a sweep can end others (they are not fired after being unwatched)', async () => {
    deadlines = new ReadDeadlines(tickMs);
    const second = waiter(0);
    const first: ReadWaiter & { firedAt: number | null } = { ...waiter(0), readTimedOut: () => deadlines.unwatch(second) };
    deadlines.watch(first);
    deadlines.watch(second);
    await sleep(3 * tickMs);
    expect(second.firedAt).toBeNull();
    expect(deadlines.size).toBe(0);
  });

  it('times out exactly the waiters past their deadline, wherever they are in the list; watch and unwatch are idempotent', async () => {
    deadlines = new ReadDeadlines(tickMs);
    const waiters = [0, 1e9, 0, 1e9, 0].map((ms) => waiter(ms));
    for (const w of waiters) deadlines.watch(w);
    deadlines.watch(waiters[1]!); // already watched
    expect(deadlines.size).toBe(5);
    await until(() => deadlines.size === 2);
    expect(waiters.map((w) => w.firedAt !== null)).toEqual([true, false, true, false, true]);
    deadlines.unwatch(waiters[0]!); // already removed by the sweep
    deadlines.unwatch(waiters[3]!);
    expect(deadlines.size).toBe(1);
    waiters[1]!.readDeadline = 0;
    await until(() => waiters[1]!.firedAt !== null);
    expect(deadlines.size).toBe(0);
    expect(waiters[3]!.firedAt).toBeNull();
  });

  it('the interval runs only while something is watched', async () => {
    deadlines = new ReadDeadlines(tickMs);
    expect(deadlines.ticking).toBe(false);
    const w = waiter(Number.POSITIVE_INFINITY);
    deadlines.watch(w);
    expect(deadlines.ticking).toBe(true);
    deadlines.unwatch(w);
    await sleep(3 * tickMs);
    expect(deadlines.ticking).toBe(false);
    deadlines.watch(w);
    expect(deadlines.ticking).toBe(true);
  });
});
