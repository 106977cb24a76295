// One connection pool per pod ip:port (upstream-pool.ts): keep-alive connections are reused across requests and
// routes (two Services can share a pod). Created on first use; closed once the endpoint is gone from every
// backend, so pod churn (a new IP per rollout) cannot grow this map without bound.
//
// Routes whose Ingress sets its own proxy-connect-timeout get pools of their own, one set per timeout value. A
// connect timeout is the connection's, and a connection is not a request: it is opened for whichever request
// finds none idle and then reused by later ones. nginx times each connect with the location's
// proxy_connect_timeout while its keep-alive cache is shared by every location; separate pools per value give each
// new connection the timeout of the route that opens it, at the price of keep-alive connections not shared between
// routes whose connect timeouts differ: a pod they share sees one connection set per value. Routes whose value
// equals the global one use the shared pools.
import type { Logger } from 'pino';
import type { UpstreamEndpoint } from '../endpoints/upstream-endpoint.ts';
import { UpstreamPool } from './upstream-pool.ts';

export type Pool = UpstreamPool;

/** How often idle connections past their keep-alive time are looked for (one timer per thread's pools). */
const sweepIntervalMs = 1000;

export interface UpstreamPoolOptions {
  /**
   * proxy-connect-timeout now: read each time a connection is opened, so a ConfigMap change applies to the next
   * connection without closing any pool. The read timeout is per request (exchange.ts).
   */
  readonly connectTimeoutMs: () => number;
  readonly logger: Logger;
}

/** Pools by endpoint key, all opening their connections with one connect timeout. */
interface PoolSet {
  readonly connectTimeoutMs: () => number;
  readonly pools: Map<string, Pool>;
}

export class UpstreamPools {
  /** The global proxy-connect-timeout's pools (the timeout read at each connect). */
  readonly #shared: PoolSet;
  /**
   * Per-Ingress proxy-connect-timeout values (ms) → their pools. A value's set goes with its last pool: pools close
   * with their endpoint (retain), not when no route names the value any more; their idle connections still close
   * after their keep-alive time (upstream-pool.ts).
   */
  readonly #byTimeout = new Map<number, PoolSet>();
  #closing = new Set<Promise<void>>();
  readonly #sweeper: NodeJS.Timeout;
  readonly #options: UpstreamPoolOptions;

  constructor(options: UpstreamPoolOptions) {
    this.#options = options;
    this.#shared = { connectTimeoutMs: options.connectTimeoutMs, pools: new Map() };
    // Unref'd: idle connections alone do not keep a thread alive.
    this.#sweeper = setInterval(() => this.#closeExpired(), sweepIntervalMs).unref();
  }

  /**
   * The endpoint's pool for a request whose route sets `connectTimeoutMs` (its proxy-connect-timeout annotation),
   * or the shared one (null: the global value applies). Two map lookups, nothing allocated once the pool exists.
   */
  get(endpoint: UpstreamEndpoint, connectTimeoutMs: number | null = null): Pool {
    const set = connectTimeoutMs === null ? this.#shared : this.#setFor(connectTimeoutMs);
    let pool = set.pools.get(endpoint.key);
    if (pool === undefined) {
      pool = new UpstreamPool(endpoint, set.connectTimeoutMs);
      set.pools.set(endpoint.key, pool);
    }
    return pool;
  }

  /** Closes pools of endpoints outside `live`. close() lets requests already dispatched on them finish. */
  retain(live: ReadonlySet<string>): void {
    this.#retainIn(this.#shared, live);
    for (const [timeout, set] of this.#byTimeout) {
      this.#retainIn(set, live);
      if (set.pools.size === 0) this.#byTimeout.delete(timeout);
    }
  }

  /** Closes every pool: gracefully, or immediately (aborting in-flight requests) with `destroy`. */
  async closeAll(destroy = false): Promise<void> {
    clearInterval(this.#sweeper);
    for (const set of this.#sets()) {
      for (const [key, pool] of set.pools) {
        set.pools.delete(key);
        this.#closeQuietly(key, destroy ? pool.destroy() : pool.close());
      }
    }
    this.#byTimeout.clear();
    await Promise.all(this.#closing);
  }

  /** Open pools, all timeout values together. */
  get size(): number {
    let size = 0;
    for (const set of this.#sets()) size += set.pools.size;
    return size;
  }

  /** The shared set, then one per route-own connect timeout. */
  #sets(): PoolSet[] {
    return [this.#shared, ...this.#byTimeout.values()];
  }

  #setFor(connectTimeoutMs: number): PoolSet {
    let set = this.#byTimeout.get(connectTimeoutMs);
    if (set === undefined) {
      set = { connectTimeoutMs: () => connectTimeoutMs, pools: new Map() };
      this.#byTimeout.set(connectTimeoutMs, set);
    }
    return set;
  }

  #retainIn(set: PoolSet, live: ReadonlySet<string>): void {
    for (const [key, pool] of set.pools) {
      if (live.has(key)) continue;
      set.pools.delete(key);
      this.#closeQuietly(key, pool.close());
    }
  }

  #closeExpired(): void {
    const now = performance.now();
    for (const set of this.#sets()) for (const pool of set.pools.values()) pool.closeExpired(now);
  }

  #closeQuietly(key: string, closing: Promise<void>): void {
    const tracked = closing.then(
      () => undefined,
      (error: unknown) => this.#options.logger.debug({ err: error, endpoint: key }, 'upstream pool close failed'),
    );
    this.#closing.add(tracked);
    void tracked.finally(() => this.#closing.delete(tracked));
  }
}
