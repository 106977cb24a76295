// proxy-read-timeout without a timer object per request.
//
// undici's own headersTimeout/bodyTimeout allocate one per request: its HTTP/1.1 parser arms a "fast" timer for
// the read and a native one for the idle keep-alive, so each request on a kept-alive connection replaces one with
// the other instead of refreshing it. A cleared fast timer stays in undici's list until its next tick, up to a
// second later, so every one of them outlives two scavenges and is promoted to the old generation, which then
// needs mark-compacts. Measured with --trace-gc-nvp, one worker, wrk 50 keep-alive connections, one route, 6 s,
// three fresh processes each: bytes promoted per scavenge 27–28 KB with undici's timers, 7 KB without (a bare
// node:http + undici proxy: 35 → 8 KB); at ≈110 scavenges/s, a mark-compact every ≈20 s becomes one every ≈80 s.
//
// Here each exchange waiting on its pod carries a deadline (a number on an object that exists anyway), and one
// interval per thread, running only while something waits, times out those past theirs. A timeout fires between
// its deadline and one tick later; undici's fast timers were no closer (half-second ticks).
import { performance } from 'node:perf_hooks';

/** What the sweep needs of an exchange: when its wait on the pod ends, and how to end it. */
export interface ReadWaiter {
  /** performance.now() by which the pod must have sent something; Infinity while not waiting on it (paused). */
  readDeadline: number;
  /** The pod sent nothing for the whole read timeout: abort (the exchange answers 504 or cuts the response). */
  readTimedOut(): void;
}

/** Tick of the sweep: the most a timeout fires late. */
const defaultTickMs = 100;

export class ReadDeadlines {
  readonly #waiting = new Set<ReadWaiter>();
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(tickMs = defaultTickMs) {
    this.#tickMs = tickMs;
  }

  /** Starts (or keeps) watching `waiter`; its readDeadline is read at every tick. */
  watch(waiter: ReadWaiter): void {
    this.#waiting.add(waiter);
    // unref: a wait on a pod never keeps the process alive on its own (the sockets do).
    this.#timer ??= setInterval(this.#sweep, this.#tickMs).unref();
  }

  unwatch(waiter: ReadWaiter): void {
    this.#waiting.delete(waiter);
  }

  /** Exchanges being watched (tests, and the interval's own stop condition). */
  get size(): number {
    return this.#waiting.size;
  }

  /** Whether the sweep's interval is running (it stops at the first tick with nothing to watch). */
  get ticking(): boolean {
    return this.#timer !== null;
  }

  close(): void {
    this.#waiting.clear();
    this.#stop();
  }

  #sweep = (): void => {
    if (this.#waiting.size === 0) return this.#stop();
    const now = performance.now();
    // Deleting the current entry while iterating a Set is safe, and readTimedOut() may unwatch others.
    for (const waiter of this.#waiting) {
      if (waiter.readDeadline > now) continue;
      this.#waiting.delete(waiter);
      waiter.readTimedOut();
    }
  };

  #stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }
}
