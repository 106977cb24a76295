// One undici Pool per pod ip:port: keep-alive connections are reused across requests and routes (two Services
// can share a pod). Created on first use; closed once the endpoint is gone from every backend, so pod churn
// (a new IP per rollout) cannot grow this map without bound.
//
// Routes whose Ingress sets its own proxy-connect-timeout get pools of their own, one set per timeout value. A
// connect timeout is the connection's, and undici's connector is told nothing of the request a connection is
// opened for; nginx times each connect with the location's proxy_connect_timeout while its keep-alive cache is
// shared by every location. Separate pools per value give each new connection the timeout of the route that
// opens it (retries included, since the connector's own timeout fails the attempt), at the price of keep-alive
// connections not shared between routes whose connect timeouts differ: a pod they share sees one connection set
// per value. Routes whose value equals the global one use the shared pools.
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type { Pool as UndiciPool, buildConnector as undiciConnector } from 'undici';
import type { UpstreamEndpoint } from '../endpoints/upstream-endpoint.ts';

// undici's own modules for the pool and the connector, not its index: the index loads all of undici (fetch,
// WebSocket, the HTTP cache, the mocks, the interceptors and the request/stream API) and a worker keeps whatever
// it loaded for its life. Measured, a fresh Node 24 process importing each and opening one Pool: heap +5.1 →
// +2.3 MiB, RSS +25 → +12 MiB. The index re-exports these very modules, so the classes are the same; the package
// has no "exports" map (any file of it may be loaded), and its version is the lockfile's.
// test/workers/thread-modules.test.ts fails if a worker loads the rest again.
const require = createRequire(import.meta.url);
const Pool = require('undici/lib/dispatcher/pool.js') as new (...args: ConstructorParameters<typeof UndiciPool>) => Pool;
/** undici's Pool as its own module makes it: without the request/stream API that undici's index adds to it. */
export type Pool = Omit<UndiciPool, 'request' | 'stream' | 'pipeline' | 'connect' | 'upgrade'>;
const buildConnector = require('undici/lib/core/connect.js') as typeof undiciConnector;
type Connector = undiciConnector.connector;

export interface UpstreamPoolOptions {
  /**
   * proxy-connect-timeout now: read each time a connection is opened (liveConnector), so a ConfigMap change
   * applies to the next connection without closing any pool. The read timeout is per request (exchange.ts).
   */
  readonly connectTimeoutMs: () => number;
  readonly logger: Logger;
}

/**
 * ingress-nginx keeps upstream connections 60 s (`upstream-keepalive-timeout`). undici shortens this by the
 * server's own `Keep-Alive: timeout=` hint, so a pod that closes idle sockets sooner is not raced.
 */
const keepAliveTimeoutMs = 60_000;

/**
 * A connector whose timeout follows the current settings. undici takes the connect timeout only when a Pool is
 * built (buildConnector({ timeout })), and a connection is not a request: it is opened for whichever request
 * finds none idle and then reused by later ones. So the timeout in force is the current table's when the socket
 * is opened — read at that moment, and the connector rebuilt only when the value changed. The alternative,
 * replacing every pool on a change, would drop every idle keep-alive connection to every pod for a setting that
 * only concerns new ones.
 */
function liveConnector(timeoutMs: () => number): Connector {
  let built: { readonly timeout: number; readonly connect: Connector } | null = null;
  return (options, callback) => {
    const timeout = timeoutMs();
    if (built?.timeout !== timeout) built = { timeout, connect: buildConnector({ timeout, allowH2: false }) };
    built.connect(options, callback);
  };
}

/** Pools by endpoint key, all opening their connections with one connector. */
interface PoolSet {
  readonly connect: Connector;
  readonly pools: Map<string, Pool>;
}

export class UpstreamPools {
  /** The global proxy-connect-timeout's pools (the live connector). */
  readonly #shared: PoolSet;
  /**
   * Per-Ingress proxy-connect-timeout values (ms) → their pools. A value's set goes with its last pool: pools close
   * with their endpoint (retain), not when no route names the value any more; their idle connections still close
   * after keepAliveTimeoutMs.
   */
  readonly #byTimeout = new Map<number, PoolSet>();
  #closing = new Set<Promise<void>>();
  readonly #options: UpstreamPoolOptions;

  constructor(options: UpstreamPoolOptions) {
    this.#options = options;
    this.#shared = { connect: liveConnector(options.connectTimeoutMs), pools: new Map() };
  }

  /**
   * The endpoint's pool for a request whose route sets `connectTimeoutMs` (its proxy-connect-timeout annotation),
   * or the shared one (null: the global value applies). Two map lookups, nothing allocated once the pool exists.
   */
  get(endpoint: UpstreamEndpoint, connectTimeoutMs: number | null = null): Pool {
    const set = connectTimeoutMs === null ? this.#shared : this.#setFor(connectTimeoutMs);
    let pool = set.pools.get(endpoint.key);
    if (pool === undefined) {
      pool = this.#create(endpoint, set.connect);
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
    for (const set of [this.#shared, ...this.#byTimeout.values()]) {
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
    let size = this.#shared.pools.size;
    for (const set of this.#byTimeout.values()) size += set.pools.size;
    return size;
  }

  #setFor(connectTimeoutMs: number): PoolSet {
    let set = this.#byTimeout.get(connectTimeoutMs);
    if (set === undefined) {
      set = { connect: buildConnector({ timeout: connectTimeoutMs, allowH2: false }), pools: new Map() };
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

  #create(endpoint: UpstreamEndpoint, connect: Connector): Pool {
    return new Pool(endpoint.origin, {
      connect,
      // No headersTimeout/bodyTimeout here: each request turns them off, and proxy-read-timeout is timed by the
      // exchange itself (forward/read-deadlines.ts: undici's cost a timer object per request).
      keepAliveTimeout: keepAliveTimeoutMs,
      // Pods speak HTTP/1.1 over plain TCP (ingress-nginx's default backend-protocol); undici 8 would otherwise
      // offer h2 wherever ALPN allows it.
      allowH2: false,
      pipelining: 1,
    });
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
