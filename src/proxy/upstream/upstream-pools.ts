// One undici Pool per pod ip:port: keep-alive connections are reused across requests and routes (two Services
// can share a pod). Created on first use; closed once the endpoint is gone from every backend, so pod churn
// (a new IP per rollout) cannot grow this map without bound.
import type { Logger } from 'pino';
import { Pool, buildConnector } from 'undici';
import type { UpstreamEndpoint } from '../endpoints/upstream-endpoint.ts';

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
function liveConnector(timeoutMs: () => number): buildConnector.connector {
  let built: { readonly timeout: number; readonly connect: buildConnector.connector } | null = null;
  return (options, callback) => {
    const timeout = timeoutMs();
    if (built?.timeout !== timeout) built = { timeout, connect: buildConnector({ timeout, allowH2: false }) };
    built.connect(options, callback);
  };
}

export class UpstreamPools {
  #pools = new Map<string, Pool>();
  #closing = new Set<Promise<void>>();
  readonly #options: UpstreamPoolOptions;
  readonly #connect: buildConnector.connector;

  constructor(options: UpstreamPoolOptions) {
    this.#options = options;
    this.#connect = liveConnector(options.connectTimeoutMs);
  }

  get(endpoint: UpstreamEndpoint): Pool {
    let pool = this.#pools.get(endpoint.key);
    if (pool === undefined) {
      pool = this.#create(endpoint);
      this.#pools.set(endpoint.key, pool);
    }
    return pool;
  }

  /** Closes pools of endpoints outside `live`. close() lets requests already dispatched on them finish. */
  retain(live: ReadonlySet<string>): void {
    for (const [key, pool] of this.#pools) {
      if (live.has(key)) continue;
      this.#pools.delete(key);
      this.#closeQuietly(key, pool.close());
    }
  }

  /** Closes every pool: gracefully, or immediately (aborting in-flight requests) with `destroy`. */
  async closeAll(destroy = false): Promise<void> {
    for (const [key, pool] of this.#pools) {
      this.#pools.delete(key);
      this.#closeQuietly(key, destroy ? pool.destroy() : pool.close());
    }
    await Promise.all(this.#closing);
  }

  get size(): number {
    return this.#pools.size;
  }

  #create(endpoint: UpstreamEndpoint): Pool {
    return new Pool(endpoint.origin, {
      connect: this.#connect,
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
