// The only code that writes to the Kubernetes API: Ingress status and Events, by the elected leader only.
// After every compile (and every minute, for node address changes) the leader makes each Ingress's
// status.loadBalancer.ingress equal to Sluice's addresses when Sluice serves it, and empties it on Ingresses it
// no longer serves (class changed) — recognised as those it served before or that carry exactly its
// addresses, so another controller's status is never touched. Shutting down writes nothing: a rolling restart
// must not blank the addresses clients resolve (ingress-nginx's --update-status-on-shutdown=false behaviour).
// Writes are GET then PUT /status with the fetched resourceVersion, as ingress-nginx's status sync does
// (status.go updateStatus → UpdateStatus): a concurrent change makes the PUT fail 409 and the next round retries.
import { ApiException, CoordinationV1Api, CoreV1Api, type KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Diagnostic, Ingress, Snapshot } from '../../model/index.ts';
import { EventRecorder } from './event-recorder.ts';
import { LeaderElector } from './leader-election.ts';
import { fromPublishAddresses, nodeAddresses, sortAddresses, type LoadBalancerIngress } from './status-addresses.ts';

export interface StatusPublisherOptions {
  readonly config: KubeConfig;
  readonly logger: Logger;
  readonly identity: string;
  readonly leaseNamespace: string;
  readonly electionId: string;
  readonly publishAddresses: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Whether Sluice serves this Ingress (the router's class rule, injected so watch/ does not import router/). */
  readonly isServed: (ingress: Ingress, snapshot: Snapshot) => boolean;
}

const resyncMs = 60_000;

export class StatusPublisher {
  readonly #o: StatusPublisherOptions;
  readonly #networking: NetworkingV1Api;
  readonly #core: CoreV1Api;
  readonly #elector: LeaderElector;
  readonly #events: EventRecorder;
  #latest: { snapshot: Snapshot; diagnostics: readonly Diagnostic[] } | undefined;
  /** Ingress key → the status JSON known to be stored (written or read); skips needless GETs. */
  #known = new Map<string, string>();
  /** Ingresses this leader has served: their status is emptied when they stop being served. */
  #served = new Set<string>();
  #syncing: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: StatusPublisherOptions) {
    this.#o = options;
    this.#networking = options.config.makeApiClient(NetworkingV1Api);
    this.#core = options.config.makeApiClient(CoreV1Api);
    this.#events = new EventRecorder(this.#core, options.logger, options.identity);
    this.#elector = new LeaderElector({
      api: options.config.makeApiClient(CoordinationV1Api),
      namespace: options.leaseNamespace,
      name: options.electionId,
      identity: options.identity,
      logger: options.logger,
      onStartedLeading: () => {
        this.#known.clear();
        this.#events.reset();
        this.sync();
      },
      onStoppedLeading: () => undefined,
    });
  }

  start(): void {
    this.#elector.start();
    this.#timer = setInterval(() => this.sync(), resyncMs);
    this.#timer.unref();
  }

  /** Called after every compile with the snapshot compiled and its diagnostics. */
  observe(snapshot: Snapshot, diagnostics: readonly Diagnostic[]): void {
    this.#latest = { snapshot, diagnostics };
    this.sync();
  }

  /** Stops campaigning and releases the Lease; Ingress status is deliberately left as it is. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#syncing;
    await this.#elector.stop();
  }

  /** One sync at a time; a request during a sync runs one more after it. */
  sync(): void {
    if (!this.#elector.isLeader || this.#latest === undefined) return;
    if (this.#syncing) {
      this.#again = true;
      return;
    }
    this.#syncing = this.#run().finally(() => {
      this.#syncing = undefined;
      if (this.#again) {
        this.#again = false;
        this.sync();
      }
    });
  }

  async #run(): Promise<void> {
    const { snapshot, diagnostics } = this.#latest!;
    try {
      const addresses = this.#o.publishAddresses.length > 0 ? fromPublishAddresses(this.#o.publishAddresses) : await nodeAddresses(this.#core, this.#o.env);
      await this.#syncStatuses(snapshot, addresses);
    } catch (err: unknown) {
      this.#o.logger.warn({ error: String(err).split('\n')[0] }, 'status: could not update Ingress status; retrying on the next change or within a minute');
    }
    await this.#events.publish(diagnostics, snapshot);
    this.#o.logger.debug({ ingresses: snapshot.ingresses.length, diagnostics: diagnostics.length }, 'status: sync done');
  }

  async #syncStatuses(snapshot: Snapshot, addresses: LoadBalancerIngress[]): Promise<void> {
    const ours = JSON.stringify(addresses);
    const present = new Set<string>();
    for (const ingress of snapshot.ingresses) {
      const key = `${ingress.metadata.namespace}/${ingress.metadata.name}`;
      present.add(key);
      const served = this.#o.isServed(ingress, snapshot);
      if (served) this.#served.add(key);
      const known = this.#known.get(key);
      if (served && known === ours) continue;
      // Not served, never served by us, and not carrying our addresses: not ours to touch (nor to re-read).
      if (!served && !this.#served.has(key) && known !== undefined && known !== ours) continue;
      await this.#write(ingress, key, served ? addresses : [], ours, served);
    }
    for (const key of [...this.#known.keys()]) if (!present.has(key)) this.#known.delete(key);
    for (const key of [...this.#served]) if (!present.has(key)) this.#served.delete(key);
  }

  async #write(ingress: Ingress, key: string, wanted: LoadBalancerIngress[], ours: string, served: boolean): Promise<void> {
    const { namespace, name } = ingress.metadata;
    const current = await this.#networking.readNamespacedIngressStatus({ name, namespace });
    const stored = JSON.stringify(sortAddresses((current.status?.loadBalancer?.ingress ?? []).map((a) => ({ ...(a.ip ? { ip: a.ip } : {}), ...(a.hostname ? { hostname: a.hostname } : {}) }))));
    this.#known.set(key, stored);
    // Not ours and not carrying our addresses: another controller's status, or none. Leave it alone.
    if (!served && !this.#served.has(key) && stored !== ours) return;
    if (stored === JSON.stringify(wanted)) {
      if (!served) this.#served.delete(key);
      return;
    }
    current.status = { ...current.status, loadBalancer: { ingress: wanted } };
    try {
      await this.#networking.replaceNamespacedIngressStatus({ name, namespace, body: current });
      this.#known.set(key, JSON.stringify(wanted));
      if (!served) this.#served.delete(key);
      this.#o.logger.info({ ingress: key, addresses: wanted.map((a) => a.ip ?? a.hostname) }, served ? 'status: Ingress addresses updated' : 'status: Ingress addresses cleared (no longer served)');
    } catch (err: unknown) {
      this.#known.delete(key);
      if (err instanceof ApiException && err.code === 409) return; // changed meanwhile: the next round retries
      throw err;
    }
  }
}
