// The production source: the Kubernetes API through one informer per kind → complete SourceUpdates, rebuilt
// (debounced) on any change. Nothing is delivered until every required kind has been listed completely once, so
// a partial view never becomes a routing table. While an informer is failing, the last good objects keep
// serving; if no complete sync of every required kind happens for `syncFailureTimeoutMs`, onSyncFailure is
// called so the process can exit and let Kubernetes restart it.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Diagnostic, SourceUpdate } from '../../model/index.ts';
import { Debouncer } from '../debounce.ts';
import { ChangeDetector } from '../change-detector.ts';
import type { ConfigMapRef } from '../normalize/index.ts';
import { UpdateBuilder } from './build-update.ts';
import { describe, KindInformer, type InformerHealth } from './kind-informer.ts';
import { kindSpecs, missingRule, type KindSpec } from './kinds.ts';

export interface KubeSourceOptions {
  readonly config: KubeConfig;
  /** undefined: every namespace. IngressClasses are cluster-scoped and always read cluster-wide. */
  readonly namespace: string | undefined;
  readonly logger: Logger;
  /** Called with every complete update and all current source diagnostics (not a delta). */
  readonly onUpdate: (update: SourceUpdate, diagnostics: Diagnostic[]) => void;
  readonly syncFailureTimeoutMs: number;
  readonly onSyncFailure: (message: string) => void;
  /** `--configmap`: the global ConfigMap, read from its own namespace; null/absent: none. */
  readonly configMap?: ConfigMapRef | null;
  readonly holdoffMs?: number;
  readonly maxDelayMs?: number;
  readonly settleMs?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

export class KubeSource {
  readonly #options: KubeSourceOptions;
  readonly #logger: Logger;
  readonly #informers: readonly KindInformer[];
  readonly #debouncer: Debouncer;
  #generation = 0;
  readonly #changes = new ChangeDetector();
  /** Keeps the lists of kinds that did not change from one rebuild to the next (build-update.ts). */
  readonly #builder: UpdateBuilder;
  #healthyAt = performance.now();
  #healthTimer: NodeJS.Timeout | undefined;
  #firstUpdate: { resolve: () => void; promise: Promise<void> };

  constructor(options: KubeSourceOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#builder = new UpdateBuilder({ configMap: options.configMap });
    this.#debouncer = new Debouncer({
      holdoffMs: options.holdoffMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 500,
      // An isolated change is served 10 ms after its first event (debounce.ts); bursts still coalesce.
      settleMs: options.settleMs ?? 10,
      run: async () => this.#rebuild(),
      onError: (err) => this.#logger.error({ err }, 'kube: rebuild failed; the last update keeps serving'),
    });
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#firstUpdate = { promise, resolve };
    this.#informers = kindSpecs(options.config, { configMap: options.configMap }).map((spec) => new KindInformer({
      spec,
      config: options.config,
      namespace: namespaceOf(spec, options.namespace),
      onChange: () => this.#debouncer.trigger(),
      onError: (s, err, retryInMs) => this.#onInformerError(s, err, retryInMs),
      onSynced: (s, recovered) => this.#logger.info({ kind: s.kind, recovered }, recovered ? `kube: ${s.kind} in sync again` : `kube: ${s.kind} listed`),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    }));
  }

  get generation(): number {
    return this.#generation;
  }

  /** Per kind: state, restarts, watches, last list and watch-event times (the informer-health metrics). */
  informerHealth(): InformerHealth[] {
    return this.#informers.map((i) => i.health());
  }

  /** Resolves once the first complete update (every required kind listed) has been delivered. */
  async start(): Promise<void> {
    for (const informer of this.#informers) informer.start();
    this.#healthTimer = setInterval(() => this.#checkHealth(), 1000);
    this.#healthTimer.unref();
    await this.#firstUpdate.promise;
  }

  /** Why the source cannot serve yet, or '' once it has delivered a complete update. */
  notReadyReason(): string {
    if (this.#generation > 0) return '';
    const waiting = this.#informers.filter((i) => !this.#usable(i));
    const errors = waiting.filter((i) => i.lastError !== '').map((i) => `${i.spec.kind}: ${i.lastError}`);
    return `waiting for the first complete list of ${waiting.map((i) => i.spec.kind).join(', ') || 'objects'}${errors.length ? ` (${errors.join('; ')})` : ''}`;
  }

  /** After the first update: which kinds are failing while the last good objects keep serving; '' when none. */
  degradedReason(): string {
    if (this.#generation === 0) return '';
    const failing = this.#informers.filter((i) => i.state !== 'synced' && !(i.spec.optional && i.state === 'forbidden'));
    if (failing.length === 0) return '';
    const kinds = failing.map((i) => `${i.spec.kind}${i.lastError ? ` (${i.lastError})` : ''}`).join('; ');
    return `serving the last good objects; list/watch failing for ${kinds}`;
  }

  async settled(): Promise<number> {
    await this.#debouncer.settled();
    return this.#generation;
  }

  async close(): Promise<void> {
    clearInterval(this.#healthTimer);
    for (const informer of this.#informers) informer.stop();
    this.#debouncer.close();
    await this.#debouncer.settled();
  }

  /** Listed at least once, or an optional kind RBAC forbids (served as empty; the error names the rule). */
  #usable(informer: KindInformer): boolean {
    return informer.syncedOnce || (informer.spec.optional && informer.state === 'forbidden');
  }

  #rebuild(): void {
    if (!this.#informers.every((i) => this.#usable(i))) return;
    const kinds = this.#informers.map((i) => ({ kind: i.spec.kind, apiVersion: i.spec.apiVersion, objects: () => i.objects(), revision: i.revision }));
    const { update, diagnostics } = this.#builder.build(kinds);
    // A relist or a resumed watch often changes nothing: deliver only what differs (change-detector.ts).
    if (!this.#changes.changed({ update, diagnostics })) return;
    this.#generation++;
    const { snapshot } = update;
    this.#logger.info(
      { generation: this.#generation, ingresses: snapshot.ingresses.length, services: snapshot.services.length, secrets: snapshot.secrets.length, endpointSlices: update.endpointSlices.length },
      'kube: update',
    );
    try {
      this.#options.onUpdate(update, diagnostics);
    } catch (err: unknown) {
      this.#logger.error({ err }, 'kube: update consumer threw');
    }
    this.#firstUpdate.resolve();
  }

  #onInformerError(spec: KindSpec, err: unknown, retryInMs: number): void {
    const informer = this.#informers.find((i) => i.spec === spec);
    if (informer?.state === 'forbidden') {
      const consequence = spec.optional ? `routes that need no ${spec.kind} are served without them` : 'nothing can be served until it is granted';
      this.#logger.error(
        { kind: spec.kind, error: describe(err), missingRule: missingRule(spec, namespaceOf(spec, this.#options.namespace)), retryInMs },
        `kube: RBAC forbids reading ${spec.plural}: grant list and watch on ${spec.plural}; ${consequence}`,
      );
    } else {
      this.#logger.warn({ kind: spec.kind, error: describe(err), retryInMs }, `kube: ${spec.kind} list/watch failed; keeping the last good objects and retrying`);
    }
  }

  #checkHealth(): void {
    const failing = this.#informers.filter((i) => i.state !== 'synced' && !(i.spec.optional && i.state === 'forbidden'));
    const now = performance.now();
    if (failing.length === 0) {
      this.#healthyAt = now;
      return;
    }
    if (now - this.#healthyAt < this.#options.syncFailureTimeoutMs) return;
    const detail = failing.map((i) => `${i.spec.kind}${i.lastError ? ` (${i.lastError})` : ''}`).join(', ');
    clearInterval(this.#healthTimer);
    this.#options.onSyncFailure(`no successful sync with the Kubernetes API for ${Math.round(this.#options.syncFailureTimeoutMs / 1000)} s: ${detail}`);
  }
}

/** Where a kind is read: its own fixed namespace (the global ConfigMap), else --watch-namespace for namespaced kinds. */
function namespaceOf(spec: KindSpec, watchNamespace: string | undefined): string | undefined {
  return spec.namespace ?? (spec.namespaced ? watchNamespace : undefined);
}
