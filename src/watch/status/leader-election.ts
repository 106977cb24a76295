// Leader election through a coordination.k8s.io/v1 Lease, following client-go tools/leaderelection
// (leaderelection.go tryAcquireOrRenew, resourcelock/leaselock.go):
// - the Lease records holderIdentity, leaseDurationSeconds, acquireTime, renewTime and leaseTransitions;
// - a candidate takes the Lease when it is unheld or expired; expiry is judged by the *local* time at which this
//   process last saw the record change, plus leaseDuration — never by comparing the remote renewTime with the
//   local clock, so clock skew between nodes cannot create two leaders;
// - every write is an update with the observed resourceVersion (optimistic concurrency): of two candidates
//   racing for an expired Lease, exactly one update succeeds and the other gets 409 Conflict;
// - the leader renews every retryPeriod and steps down if it could not renew for renewDeadline;
// - on shutdown the leader releases the Lease (holderIdentity ''), so a successor takes over at its next retry
//   instead of waiting out the lease duration (client-go ReleaseOnCancel).
import { ApiException, type CoordinationV1Api, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface LeaderElectionOptions {
  readonly api: CoordinationV1Api;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly logger: Logger;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  /** client-go defaults, as ingress-nginx uses them: 15 s / 10 s / 2 s. */
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

export class LeaderElector {
  readonly #o: Required<LeaderElectionOptions>;
  #leading = false;
  #observed = '';
  #observedAt = 0;
  #lastRenewal = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #running: Promise<void> = Promise.resolve();

  constructor(options: LeaderElectionOptions) {
    this.#o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  start(): void {
    this.#schedule(0);
  }

  /** Stops campaigning; a leader releases the Lease. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    if (!this.#leading) return;
    try {
      const lease = await this.#o.api.readNamespacedLease({ name: this.#o.name, namespace: this.#o.namespace });
      if (lease.spec?.holderIdentity === this.#o.identity) {
        const now = new V1MicroTime();
        lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now };
        await this.#o.api.replaceNamespacedLease({ name: this.#o.name, namespace: this.#o.namespace, body: lease });
        this.#o.logger.info({ lease: this.#o.name, identity: this.#o.identity }, 'leader election: lease released');
      }
    } catch (err: unknown) {
      this.#o.logger.warn({ err: String(err) }, 'leader election: could not release the lease; a successor waits for it to expire');
    }
    this.#setLeading(false);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#round().finally(() => this.#schedule(this.#o.retryPeriodMs));
    }, delayMs);
    this.#timer.unref();
  }

  async #round(): Promise<void> {
    try {
      const acquired = await this.#tryAcquireOrRenew();
      if (acquired) this.#lastRenewal = performance.now();
      this.#setLeading(acquired || (this.#leading && performance.now() - this.#lastRenewal < this.#o.renewDeadlineMs));
    } catch (err: unknown) {
      this.#o.logger.warn({ error: err instanceof ApiException ? `HTTP ${err.code}` : String(err) }, 'leader election: lease update failed');
      if (this.#leading && performance.now() - this.#lastRenewal >= this.#o.renewDeadlineMs) this.#setLeading(false);
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { api, name, namespace, identity } = this.#o;
    const now = new V1MicroTime();
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (err: unknown) {
      if (!(err instanceof ApiException) || err.code !== 404) throw err;
      const spec = { holderIdentity: identity, leaseDurationSeconds: Math.round(this.#o.leaseDurationMs / 1000), acquireTime: now, renewTime: now, leaseTransitions: 0 };
      await api.createNamespacedLease({ namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec } });
      return true;
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, String(spec.renewTime), lease.metadata?.resourceVersion]);
    if (record !== this.#observed) {
      this.#observed = record;
      this.#observedAt = performance.now();
    }
    const holder = spec.holderIdentity ?? '';
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder !== '' && holder !== identity && this.#observedAt + durationMs > performance.now()) return false;
    const transitions = (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: Math.round(this.#o.leaseDurationMs / 1000),
      acquireTime: holder === identity && spec.acquireTime ? new V1MicroTime(spec.acquireTime as unknown as string) : now,
      renewTime: now,
      leaseTransitions: transitions,
    };
    try {
      await api.replaceNamespacedLease({ name, namespace, body: lease });
    } catch (err: unknown) {
      if (err instanceof ApiException && err.code === 409) return false; // another candidate won the race
      throw err;
    }
    return true;
  }

  #setLeading(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    this.#o.logger.info({ lease: this.#o.name, identity: this.#o.identity, leading }, leading ? 'leader election: became leader' : 'leader election: stopped leading');
    if (leading) this.#o.onStartedLeading();
    else this.#o.onStoppedLeading();
  }
}
