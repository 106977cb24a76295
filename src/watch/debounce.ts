// Coalesces bursts of change signals into rebuilds. Sources treat events only as "something changed" and
// rebuild from a complete view, so what matters is how many rebuilds run and how late, not which events came:
//
// - holdoff: a rebuild runs `holdoffMs` after the last signal, so a burst (an editor's write + rename, kubectl
//   applying 40 objects) costs one rebuild;
// - maxDelay: it runs at the latest `maxDelayMs` after the first unserved signal, so continuous churn (a rolling
//   update flapping EndpointSlices) cannot postpone it forever;
// - settle (when `settleMs` is set, as the sources do): a signal is served `settleMs` after the first one of its
//   batch, but never sooner than `holdoffMs` after the previous run started. An isolated change (one Ingress
//   edited) is served within milliseconds, a burst costs two rebuilds (the quick one, then one holdoff later), and
//   under churn rebuilds start at most once per holdoff (issue 8: an Ingress change served ≤ 50 ms after the
//   source sees it; ingress-nginx's reload takes seconds);
// - never concurrently: a signal during a run schedules one more run after it.
//
// settled() lets tests and readiness wait for quiescence instead of sleeping.

export interface DebouncerOptions {
  readonly holdoffMs: number;
  readonly maxDelayMs: number;
  /** See above; absent: every signal waits holdoffMs after the last one (bursts always coalesce). */
  readonly settleMs?: number;
  readonly run: () => Promise<void>;
  /** Receives anything `run` throws; the debouncer itself never rejects. */
  readonly onError: (err: unknown) => void;
}

export class Debouncer {
  readonly #options: DebouncerOptions;
  #timer: NodeJS.Timeout | undefined;
  /** A signal has arrived that no run has started to serve yet. */
  #pending = false;
  #firstPendingAt = 0;
  #lastRunAt = -Infinity;
  #running = false;
  /** The timer fired (or flush was called) while a run was in progress: run again straight after it. */
  #runAgain = false;
  #closed = false;
  #waiters: (() => void)[] = [];

  constructor(options: DebouncerOptions) {
    this.#options = options;
  }

  /** Signals a change. Cheap; call it from every event. */
  trigger(): void {
    if (this.#closed) return;
    const now = performance.now();
    if (!this.#pending) {
      this.#pending = true;
      this.#firstPendingAt = now;
    }
    const { settleMs, holdoffMs, maxDelayMs } = this.#options;
    const due =
      settleMs === undefined
        ? Math.min(now + holdoffMs, this.#firstPendingAt + maxDelayMs)
        : Math.max(this.#firstPendingAt + settleMs, this.#lastRunAt + holdoffMs);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, due - now));
  }

  /** Runs now (or right after the current run), skipping the holdoff; resolves once settled. */
  flush(): Promise<void> {
    if (this.#closed) return this.settled();
    this.#pending = true;
    this.#fire();
    return this.settled();
  }

  /** Resolves when nothing is pending or running. */
  settled(): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Stops scheduling runs; a run in progress finishes. */
  close(): void {
    this.#closed = true;
    this.#pending = false;
    this.#runAgain = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#notifyIfIdle();
  }

  #idle(): boolean {
    return !this.#pending && !this.#running;
  }

  #fire(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running) {
      this.#runAgain = true;
      return;
    }
    void this.#execute();
  }

  async #execute(): Promise<void> {
    do {
      this.#pending = false;
      this.#runAgain = false;
      this.#running = true;
      this.#lastRunAt = performance.now();
      try {
        await this.#options.run();
      } catch (err: unknown) {
        this.#report(err);
      } finally {
        this.#running = false;
      }
    } while (this.#runAgain && !this.#closed);
    this.#notifyIfIdle();
  }

  #report(err: unknown): void {
    try {
      this.#options.onError(err);
    } catch {
      // A throwing error handler must not become an unhandled rejection that ends the process.
    }
  }

  #notifyIfIdle(): void {
    if (!this.#idle()) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
