// The primary's side of the multi-core data plane: starts N worker threads, hands each the same updates in order,
// knows when every worker has applied one, replaces a worker that dies (the others keep serving meanwhile), and
// gathers their counters for /metrics.
//
// Threads rather than node:cluster processes, because nginx's shared zones need shared memory: worker threads
// share a SharedArrayBuffer (rate-limit buckets, src/proxy/rate-limit/shared-buckets.ts) with atomic operations,
// which separate processes cannot do without a native addon or a round trip per request. Each worker binds the
// listening ports itself with SO_REUSEPORT, so the kernel balances connections and no thread relays sockets.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { SettingValues, SourceUpdate } from '../model/index.ts';
import { relayLines, type BlockSink } from '../proxy/access-log/line-sink.ts';
import type { FromWorker, ListenerPorts, ToWorker, WorkerInit } from './messages.ts';
import { UpdateDeltas, snapshotUnchanged } from './update-delta.ts';

export interface WorkerPoolOptions {
  readonly count: number;
  readonly init: Omit<WorkerInit, 'workerId' | 'ports' | 'accessLogPort' | 'settings'>;
  /** The primary's current settings, read when a worker starts (WorkerInit.settings). */
  readonly settings?: () => SettingValues | undefined;
  /** --access-log stdout: the primary's stdout, every worker's lines relayed to it; null otherwise. */
  readonly stdoutAccessLog: BlockSink | null;
  readonly ports: ListenerPorts;
  readonly logger: Logger;
  /** Replacement back-off after a worker dies: doubles from this for workers dying right after their start. */
  readonly respawnDelayMs?: number;
  /** A worker's old-generation heap limit; V8's own unless a test needs a worker to run out of heap. */
  readonly maxOldGenerationSizeMb?: number;
}

const workerEntry = new URL('./worker-main.ts', import.meta.url);

/**
 * A worker's young generation capped at 12 MiB (V8's semi-space 4 MiB instead of 16): a proxy allocates short-lived
 * objects per request, and V8 grows the young generation to its maximum under load. Measured, one worker under
 * wrk (50 connections), 3 interleaved rounds each: peak RSS 232–284 → 194–210 MiB, CPU per request 49.2 → 50.9 µs
 * on average (run-to-run noise here is ±8 %).
 */
const maxYoungGenerationSizeMb = 12;

/**
 * A worker's old generation is left to V8, which sizes it from the memory Node sees (half of it, a container's
 * cgroup limit included, at most 4 GiB) and lets it grow up to 4× after a mark-compact when that limit is ≥ 2 GiB,
 * 1.3–2× below (V8's MaxGrowingFactor). A fixed 512 MiB cap was tried: heap growth fell to 1.4× and mark-compacts
 * came more often. Fresh processes, `--workers 1`, one route, wrk 50 connections, 4 of each interleaved,
 * --trace-gc-nvp: 3 mark-compacts in 6 s with the cap in every good-state process against 2 without, and the one
 * process that fell into bench/README.md's bad GC state ran 33 mark-compacts in 6 s (9.7k req/s) with the cap.
 * A worker that runs out of heap ends (ERR_WORKER_OUT_OF_MEMORY) and is replaced like any worker that dies; a
 * replacement that cannot load the state either is tried again with the back-off, from the state newest then.
 */

class WorkerHandle {
  readonly thread: Worker;
  readonly id: number;
  acked = 0;
  listening = false;
  /** --access-log stdout: resolves once the worker's last lines reached the primary. */
  linesRelayed: Promise<void> = Promise.resolve();
  readonly started = Date.now();
  readonly #waiters: Array<{ seq: number; resolve: () => void }> = [];

  /** Started to replace a worker that died (not by start()): if it dies before serving, it is replaced in turn. */
  readonly replacement: boolean;

  constructor(id: number, init: WorkerInit, replacement: boolean, maxOldGenerationSizeMb: number | undefined) {
    this.id = id;
    this.replacement = replacement;
    const transferList = init.accessLogPort === null ? [] : [init.accessLogPort];
    const resourceLimits = maxOldGenerationSizeMb === undefined ? { maxYoungGenerationSizeMb } : { maxYoungGenerationSizeMb, maxOldGenerationSizeMb };
    this.thread = new Worker(workerEntry, { workerData: init, transferList, name: `sluice-worker-${id}`, resourceLimits });
  }

  post(message: ToWorker): void {
    this.thread.postMessage(message);
  }

  /** Resolves once the worker has applied update `seq` (or has died: a dead worker serves nothing stale). */
  applied(seq: number): Promise<void> {
    if (this.acked >= seq) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ seq, resolve }));
  }

  ack(seq: number): void {
    this.acked = Math.max(this.acked, seq);
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      if (this.#waiters[i]!.seq <= this.acked) this.#waiters.splice(i, 1)[0]!.resolve();
    }
  }

  releaseWaiters(): void {
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }
}

export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #workers = new Map<number, WorkerHandle>();
  #ports: ListenerPorts;
  #seq = 0;
  /** What the workers hold: the deltas broadcast are taken against it, and a new worker starts from it. */
  readonly #deltas = new UpdateDeltas();
  #warnedUnordered = false;
  #nextId = 1;
  #stopping = false;
  #metricsId = 0;
  readonly #metricsReplies = new Map<number, (metrics: unknown[] | null) => void>();
  /** Workers replaced since start (a measure of crashes). */
  replaced = 0;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#ports = options.ports;
  }

  get ports(): ListenerPorts {
    return this.#ports;
  }

  /** The live worker threads (for tests and diagnostics). */
  threads(): Worker[] {
    return [...this.#workers.values()].map((worker) => worker.thread);
  }

  /** Workers bound and serving. */
  get serving(): number {
    let count = 0;
    for (const worker of this.#workers.values()) if (worker.listening) count++;
    return count;
  }

  /**
   * Starts the workers with the first complete update. The first worker binds (port 0 → the OS picks), the others
   * join its ports. Rejects if a worker cannot start (e.g. the port is taken), so the process exits.
   */
  async start(first: SourceUpdate): Promise<ListenerPorts> {
    this.#deltas.reset(first);
    this.#seq = 1;
    // Serialised once for all of them, and only here and for a replacement: a change is sent as a delta.
    let full = JSON.stringify(first);
    const firstWorker = this.#spawn(full);
    this.#ports = await this.#whenListening(firstWorker);
    // An update broadcast meanwhile (the source runs on) is what the others must start from.
    if (this.#seq !== 1) full = JSON.stringify(this.#deltas.last);
    const others = Array.from({ length: this.#options.count - 1 }, () => this.#spawn(full));
    await Promise.all(others.map((worker) => this.#whenListening(worker)));
    return this.#ports;
  }

  /**
   * Hands `update` to every worker; resolves when all have applied it. Only what changed since the previous
   * update travels (update-delta.ts), and each worker rebuilds the complete update from it (snapshot-mirror.ts).
   * `snapshotChanged`: the primary's route updater compared the snapshot; workers compile when it says so, or
   * when the delta changes the snapshot.
   */
  broadcast(update: SourceUpdate, snapshotChanged = true): Promise<void> {
    const delta = this.#deltas.next(update);
    const seq = ++this.#seq;
    if (delta === null && !this.#warnedUnordered) {
      this.#warnedUnordered = true;
      // A source bug (sources sort by compareNames); served correctly, at the cost of the full update each time.
      this.#options.logger.warn('source update out of namespace/name order: sent to the workers in full, not as a delta');
    }
    const workers = [...this.#workers.values()];
    const message: ToWorker =
      delta === null
        ? { type: 'update', seq, full: JSON.stringify(update) }
        : { type: 'update', seq, delta, snapshotChanged: snapshotChanged || !snapshotUnchanged(delta) };
    for (const worker of workers) worker.post(message);
    return Promise.all(workers.map((worker) => worker.applied(seq))).then(() => undefined);
  }

  /** Each worker's data-plane metrics (prom-client JSON); workers that do not answer within 2 s are left out. */
  async metrics(): Promise<unknown[][]> {
    const replies = [...this.#workers.values()].map(
      (worker) =>
        new Promise<unknown[] | null>((resolve) => {
          const id = ++this.#metricsId;
          const timer = setTimeout(() => {
            this.#metricsReplies.delete(id);
            resolve(null);
          }, 2000);
          this.#metricsReplies.set(id, (metrics) => {
            clearTimeout(timer);
            this.#metricsReplies.delete(id);
            resolve(metrics);
          });
          worker.post({ type: 'metrics', id });
        }),
    );
    return (await Promise.all(replies)).filter((metrics): metrics is unknown[] => metrics !== null);
  }

  announceShutdown(): void {
    this.#stopping = true;
    for (const worker of this.#workers.values()) worker.post({ type: 'announce-shutdown' });
  }

  /**
   * Every worker stops accepting; `onListenersClosed` runs once all have closed their listeners; resolves when
   * in-flight work has finished (up to graceMs) and the threads have ended.
   */
  async drain(graceMs: number, onListenersClosed: () => void): Promise<void> {
    this.#stopping = true;
    const workers = [...this.#workers.values()];
    const closed = workers.map((worker) => this.#next(worker, 'listeners-closed'));
    const drained = workers.map((worker) => this.#next(worker, 'drained'));
    for (const worker of workers) worker.post({ type: 'drain', graceMs });
    await Promise.all(closed);
    onListenersClosed();
    await Promise.all(drained);
    // A worker's last access-log lines travel on their own port: wait for it to close (at most a second).
    await Promise.race([Promise.all(workers.map((worker) => worker.linesRelayed)), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    await Promise.all(workers.map((worker) => worker.thread.terminate()));
  }

  /** `full`: the JSON of what the other workers hold now (update #seq), this worker's first update. */
  #spawn(full: string, replacement = false): WorkerHandle {
    const id = this.#nextId++;
    const stdout = this.#options.stdoutAccessLog;
    const channel = stdout === null ? null : new MessageChannel();
    const accessLogPort: MessagePort | null = channel?.port2 ?? null;
    const settings = this.#options.settings?.();
    const init: WorkerInit = { ...this.#options.init, workerId: id, ports: this.#ports, accessLogPort, settings };
    const worker = new WorkerHandle(id, init, replacement, this.#options.maxOldGenerationSizeMb);
    if (channel !== null && stdout !== null) worker.linesRelayed = relayLines(channel.port1, stdout);
    this.#workers.set(id, worker);
    worker.thread.on('message', (message: FromWorker) => this.#onMessage(worker, message));
    worker.thread.on('error', (error) => this.#options.logger.error({ err: error, worker: id }, 'worker failed'));
    worker.thread.on('exit', (code) => this.#onExit(worker, code));
    // The newest state first: a replacement worker starts from what the others serve now, and takes the same
    // deltas as they do from the next update on.
    worker.post({ type: 'update', seq: this.#seq, full });
    return worker;
  }

  #onMessage(worker: WorkerHandle, message: FromWorker): void {
    switch (message.type) {
      case 'listening':
        worker.listening = true;
        return;
      case 'applied':
        // A failed compile is counted and logged by the primary, whose own compile of the same snapshot fails
        // the same way (compile is deterministic).
        worker.ack(message.seq);
        return;
      case 'metrics':
        this.#metricsReplies.get(message.id)?.(message.metrics);
        return;
      case 'listeners-closed':
      case 'drained':
        return; // awaited through #next
    }
  }

  #onExit(worker: WorkerHandle, code: number): void {
    this.#workers.delete(worker.id);
    worker.releaseWaiters();
    if (this.#stopping) return;
    // A first worker that never served: its start failed, and start() reports it (the process exits).
    if (!worker.listening && !worker.replacement) return;
    // A worker that served and then died, or a replacement that died before serving (e.g. out of heap on the state
    // it starts from: the next one starts from the state that is newest then): replace it; its connections are
    // lost, the other workers' are not.
    const lived = Date.now() - worker.started;
    const base = this.#options.respawnDelayMs ?? 500;
    const delay = lived > 60_000 ? 0 : Math.min(30_000, base * 2 ** Math.min(6, this.replaced));
    this.#options.logger.error({ worker: worker.id, code, replaceInMs: delay }, 'worker exited; replacing it');
    setTimeout(() => {
      if (this.#stopping) return;
      this.replaced++;
      const replacement = this.#spawn(JSON.stringify(this.#deltas.last), true);
      this.#whenListening(replacement).then(
        () => this.#options.logger.info({ worker: replacement.id, replaces: worker.id }, 'worker replaced'),
        (error: unknown) => this.#options.logger.error({ err: error, worker: replacement.id }, 'replacement worker failed to start'),
      );
    }, delay).unref();
  }

  /** The worker's ports once it listens; rejects if it exits first. */
  async #whenListening(worker: WorkerHandle): Promise<ListenerPorts> {
    const message = await this.#next(worker, 'listening');
    if (message === undefined) throw new Error(`worker ${worker.id} exited before listening`);
    return message.ports;
  }

  /** The worker's next message of `type`; undefined if its thread ends first. */
  #next<T extends FromWorker['type']>(worker: WorkerHandle, type: T): Promise<Extract<FromWorker, { type: T }> | undefined> {
    return new Promise((resolve) => {
      const onMessage = (message: FromWorker): void => {
        if (message.type !== type) return;
        cleanup();
        resolve(message as Extract<FromWorker, { type: T }>);
      };
      const onExit = (): void => {
        cleanup();
        resolve(undefined);
      };
      const cleanup = (): void => {
        worker.thread.off('message', onMessage);
        worker.thread.off('exit', onExit);
      };
      worker.thread.on('message', onMessage);
      worker.thread.on('exit', onExit);
    });
  }
}
