// One kind's informer: @kubernetes/client-node's ListWatch, kept alive. ListWatch itself resumes a watch the
// server ended and relists after 410 Gone, but on any other error (connection refused or reset, 403, 500) it
// emits `error` and stops for good (client-node src/cache.ts doneHandler; kubernetes-client/javascript #795,
// #1496), and restarting it in place re-watches from a resourceVersion the server may have forgotten, in a
// tight loop (#1933). So after an error this wrapper starts a fresh ListWatch, after a jittered exponential
// backoff, which lists again from scratch: whatever changed while disconnected (deletions included) is seen.
// The previous ListWatch's objects keep serving until the new one has listed completely.
import { ListWatch, Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { KindSpec, PageResult } from './kinds.ts';
import { watchPath } from './kinds.ts';

export type InformerState = 'listing' | 'synced' | 'failing' | 'forbidden';

/** One kind's informer as the metrics show it (read at scrape time; plain numbers, no log scraping). */
export interface InformerHealth {
  readonly kind: string;
  readonly state: InformerState;
  /** A complete list has been received at least once (until then nothing of this kind is served). */
  readonly listed: boolean;
  /** Fresh informers started after an error (each lists again from scratch). */
  readonly restarts: number;
  /** Watch requests opened: after each complete list, and on each resume after the server ended a watch. */
  readonly watches: number;
  /** Unix seconds of the last complete list received (0: none yet). */
  readonly lastListSeconds: number;
  /** Unix seconds of the last watch event received, bookmarks included (0: none yet). */
  readonly lastWatchEventSeconds: number;
}

export interface KindInformerOptions {
  readonly spec: KindSpec;
  readonly config: KubeConfig;
  readonly namespace: string | undefined;
  /** Any change (objects or state). Only a signal: consumers read objects() and state. */
  readonly onChange: () => void;
  readonly onError: (spec: KindSpec, error: unknown, retryInMs: number) => void;
  readonly onSynced: (spec: KindSpec, recovered: boolean) => void;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

const pageSize = 500;

/** A Watch that asks for bookmarks and a server-side timeout, and strips managedFields from every event. */
class TrimmingWatch extends Watch {
  readonly #onWatch: () => void;
  readonly #onEvent: () => void;
  constructor(config: KubeConfig, onWatch: () => void, onEvent: () => void) {
    super(config);
    this.#onWatch = onWatch;
    this.#onEvent = onEvent;
  }

  override watch(path: string, params: Record<string, unknown>, callback: (phase: string, object: KubernetesObject, raw: unknown) => void, done: (err: unknown) => void): Promise<AbortController> {
    // ListWatch calls watch() right after it has stored a complete list, and again on every resume.
    this.#onWatch();
    // Bookmarks keep the resourceVersion fresh on quiet resources, so a resume rarely needs a relist. A server
    // timeout of 5–10 minutes (client-go's reflector uses the same spread) staggers the reconnects of replicas.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    const onEvent = this.#onEvent;
    return super.watch(path, { ...params, allowWatchBookmarks: true, timeoutSeconds }, (phase, object, raw) => {
      onEvent();
      callback(phase, trim(object), raw);
    }, done);
  }
}

/** managedFields is often larger than the object itself and never read: drop it before caching. */
function trim<T extends KubernetesObject>(object: T): T {
  if (object?.metadata?.managedFields !== undefined) delete object.metadata.managedFields;
  return object;
}

export class KindInformer {
  readonly spec: KindSpec;
  readonly #options: KindInformerOptions;
  #serving: ListWatch<KubernetesObject> | undefined;
  #active: ListWatch<KubernetesObject> | undefined;
  #state: InformerState = 'listing';
  #syncedOnce = false;
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #lastError = '';
  #stopped = false;
  #restarts = 0;
  #watches = 0;
  #lastListSeconds = 0;
  #lastWatchEventSeconds = 0;
  #revision = 0;

  constructor(options: KindInformerOptions) {
    this.spec = options.spec;
    this.#options = options;
  }

  get state(): InformerState {
    return this.#state;
  }

  /** A complete list has been received at least once. */
  get syncedOnce(): boolean {
    return this.#syncedOnce;
  }

  get lastError(): string {
    return this.#lastError;
  }

  health(): InformerHealth {
    return {
      kind: this.spec.kind,
      state: this.#state,
      listed: this.#syncedOnce,
      restarts: this.#restarts,
      watches: this.#watches,
      lastListSeconds: this.#lastListSeconds,
      lastWatchEventSeconds: this.#lastWatchEventSeconds,
    };
  }

  /**
   * Changes whenever objects() would return other objects: every add, update and delete in the serving cache,
   * and a switch to a new informer's. A rebuild reads only the kinds whose revision moved: listing all five caches
   * for every change allocated ≈0.8 MiB with 12 000 objects (client-node's list() spreads each namespace's Map
   * into a new array), 90 % of what the primary allocated while changes were measured, and the scavenges that
   * garbage brought took 11–25 ms at times (bench/ table10k-kube, --trace-gc).
   */
  get revision(): number {
    return this.#revision;
  }

  /** The objects of the last complete list plus the changes watched since (empty before the first list). */
  objects(): readonly KubernetesObject[] {
    return this.#serving?.list() ?? [];
  }

  start(): void {
    this.#launch();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    void this.#active?.stop();
    if (this.#serving !== this.#active) void this.#serving?.stop();
  }

  #launch(): void {
    if (this.#stopped) return;
    const { spec, config, namespace } = this.#options;
    let informer: ListWatch<KubernetesObject> | undefined;
    const watch = new TrimmingWatch(
      config,
      () => {
        if (informer === undefined || informer !== this.#active) return;
        this.#watches++;
        this.#synced(informer);
      },
      () => {
        if (informer === this.#active) this.#lastWatchEventSeconds = Date.now() / 1000;
      },
    );
    informer = new ListWatch(watchPath(spec, namespace), watch, () => this.#listAll(), false, undefined, spec.fieldSelector);
    const self = informer;
    this.#active = informer;
    informer.on('change', () => {
      if (self !== this.#serving) return;
      this.#revision++;
      this.#options.onChange();
    });
    // After stop(), the abort of the informer's own requests is no failure to report or retry.
    informer.on('error', (err: unknown) => {
      if (self === this.#active && !this.#stopped) this.#failed(self, err);
    });
    void informer.start().catch((err: unknown) => {
      if (self === this.#active && !this.#stopped) this.#failed(self, err);
    });
  }

  async #listAll(): Promise<PageResult> {
    const { spec, namespace } = this.#options;
    const items: KubernetesObject[] = [];
    let page: PageResult;
    let next: string | undefined;
    // Paginated like client-go's pager: every page comes from the snapshot of the first (the continue token
    // pins its resourceVersion); an expired token fails the list, and the restart lists again from the start.
    do {
      page = await spec.list(namespace, { limit: pageSize, ...(next ? { _continue: next } : {}), ...(spec.fieldSelector ? { fieldSelector: spec.fieldSelector } : {}) });
      for (const item of page.items) {
        // Typed list items carry no kind/apiVersion; the normaliser (shared with manifest files) needs them.
        items.push(Object.assign(trim(item), { kind: spec.kind, apiVersion: spec.apiVersion }));
      }
      next = page.metadata?._continue || undefined;
    } while (next !== undefined);
    this.#lastListSeconds = Date.now() / 1000;
    return { items, metadata: { resourceVersion: page.metadata?.resourceVersion ?? '' } };
  }

  #synced(informer: ListWatch<KubernetesObject>): void {
    const previous = this.#serving;
    const recovered = this.#state !== 'synced' && this.#syncedOnce;
    if (previous !== informer) {
      this.#serving = informer;
      this.#revision++;
      if (previous !== undefined) void previous.stop();
    }
    this.#attempt = 0;
    this.#lastError = '';
    if (this.#state !== 'synced' || previous !== informer) {
      this.#state = 'synced';
      this.#syncedOnce = true;
      this.#options.onSynced(this.spec, recovered);
      this.#options.onChange();
    }
  }

  #failed(informer: ListWatch<KubernetesObject>, err: unknown): void {
    void informer.stop();
    this.#active = undefined;
    const forbidden = statusOf(err) === 403;
    this.#state = forbidden ? 'forbidden' : 'failing';
    this.#lastError = describe(err);
    const { initialMs, maxMs } = this.#options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    const ceiling = Math.min(maxMs, initialMs * 2 ** this.#attempt++);
    // Jitter (50–100 % of the ceiling) keeps replicas, and the five kinds of one replica, from retrying in step.
    const delay = Math.round(ceiling * (0.5 + Math.random() * 0.5));
    this.#options.onError(this.spec, err, delay);
    this.#options.onChange();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#restarts++;
      this.#launch();
    }, delay);
    this.#retryTimer.unref();
  }
}

/**
 * The HTTP status of a client-node error: ApiException has `code`, Watch errors have `statusCode`. Only values
 * that can be HTTP statuses: an aborted request's DOMException also has a numeric `code` (20, ABORT_ERR).
 */
export function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  const status = typeof code === 'number' ? code : statusCode;
  return typeof status === 'number' && status >= 100 && status <= 599 ? status : undefined;
}

/** One line, without the response headers and body ApiException packs into its message. */
export function describe(err: unknown): string {
  const status = statusOf(err);
  const statusMessage = messageOfBody((err as { body?: unknown } | null)?.body);
  const message = statusMessage ?? (err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err));
  return (status !== undefined ? `HTTP ${status}: ` : '') + (message.split('\n')[0] ?? '');
}

/** The `message` of a Kubernetes Status body, parsed or not. */
function messageOfBody(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const message = typeof parsed === 'object' && parsed !== null ? (parsed as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : undefined;
}
