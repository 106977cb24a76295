// proxy-read-timeout (and proxy-send-timeout, its counterpart while the request is written: exchange.ts) without
// a timer object per request.
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

/** What the sweep needs of an exchange: when its wait on the pod ends, how to end it, and its list links. */
export interface ReadWaiter {
  /**
   * performance.now() by which the pod must have sent something (or, while the request is written, taken more of
   * it); Infinity while not waiting on it (paused).
   */
  readDeadline: number;
  /** The deadline passed: abort (the exchange answers 504 or cuts the response). */
  readTimedOut(): void;
  /** Links of the watch list, owned by ReadDeadlines (null while not watched). */
  readPrev: ReadWaiter | null;
  readNext: ReadWaiter | null;
}

/** Tick of the sweep: the most a timeout fires late. */
const defaultTickMs = 100;

/**
 * The waiting exchanges are a doubly linked list through the exchanges themselves, not a Set: a Set's hash table
 * is replaced as entries come and go, and V8 keeps a link from each replaced table to its successor (for live
 * iterators). A replaced table already promoted is garbage the scavenger cannot see as such, so the link kept each
 * successor — and every exchange in it — alive into the old generation. Measured (--trace-gc-nvp, one worker, 50
 * connections, fresh processes): with the Set, 3 of 3 processes promoted 290–400 KB per scavenge; see
 * bench/README.md, "Two GC states". Unlinking clears a waiter's own links, so no removed waiter points onward.
 */
export class ReadDeadlines {
  #head: ReadWaiter | null = null;
  #tail: ReadWaiter | null = null;
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(tickMs = defaultTickMs) {
    this.#tickMs = tickMs;
  }

  /** Starts watching `waiter` (no-op when already watched); its readDeadline is read at every tick. */
  watch(waiter: ReadWaiter): void {
    if (this.#isWatched(waiter)) return;
    waiter.readPrev = this.#tail;
    waiter.readNext = null;
    if (this.#tail === null) this.#head = waiter;
    else this.#tail.readNext = waiter;
    this.#tail = waiter;
    // unref: a wait on a pod never keeps the process alive on its own (the sockets do).
    this.#timer ??= setInterval(this.#sweep, this.#tickMs).unref();
  }

  /** Stops watching `waiter` (no-op when not watched). */
  unwatch(waiter: ReadWaiter): void {
    if (!this.#isWatched(waiter)) return;
    const { readPrev: prev, readNext: next } = waiter;
    if (prev === null) this.#head = next;
    else prev.readNext = next;
    if (next === null) this.#tail = prev;
    else next.readPrev = prev;
    waiter.readPrev = null;
    waiter.readNext = null;
  }

  /** Exchanges being watched, counted by walking the list (for tests: serving never needs the number). */
  get size(): number {
    let size = 0;
    for (let waiter = this.#head; waiter !== null; waiter = waiter.readNext) size++;
    return size;
  }

  /** Whether the sweep's interval is running (it stops at the first tick with nothing to watch). */
  get ticking(): boolean {
    return this.#timer !== null;
  }

  close(): void {
    while (this.#head !== null) this.unwatch(this.#head);
    this.#stop();
  }

  #sweep = (): void => {
    if (this.#head === null) return this.#stop();
    const now = performance.now();
    let waiter: ReadWaiter | null = this.#head;
    while (waiter !== null) {
      const next: ReadWaiter | null = waiter.readNext;
      if (waiter.readDeadline <= now) {
        this.unwatch(waiter);
        // May unwatch others, `next` among them: then its links are null and the sweep ends here, to go on at
        // the next tick (never a removed waiter fired).
        waiter.readTimedOut();
      }
      waiter = next !== null && this.#isWatched(next) ? next : null;
    }
  };

  /** In the list: linked behind another waiter, or its head. */
  #isWatched(waiter: ReadWaiter): boolean {
    return waiter.readPrev !== null || this.#head === waiter;
  }

  #stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }
}
