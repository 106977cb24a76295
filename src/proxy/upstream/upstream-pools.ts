// One undici Pool per pod ip:port: keep-alive connections are reused across requests and routes (two Services
// can share a pod). Created on first use; closed once the endpoint is gone from every backend, so pod churn
// (a new IP per rollout) cannot grow this map without bound.
import type { Logger } from 'pino';
import { Pool } from 'undici';
import type { UpstreamEndpoint } from '../endpoints/upstream-endpoint.ts';

export interface UpstreamPoolOptions {
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly logger: Logger;
}

/**
 * ingress-nginx keeps upstream connections 60 s (`upstream-keepalive-timeout`). undici shortens this by the
 * server's own `Keep-Alive: timeout=` hint, so a pod that closes idle sockets sooner is not raced.
 */
const keepAliveTimeoutMs = 60_000;

export class UpstreamPools {
  #pools = new Map<string, Pool>();
  #closing = new Set<Promise<void>>();
  readonly #options: UpstreamPoolOptions;

  constructor(options: UpstreamPoolOptions) {
    this.#options = options;
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
    const { connectTimeoutMs, readTimeoutMs } = this.#options;
    return new Pool(endpoint.origin, {
      connectTimeout: connectTimeoutMs,
      // nginx's proxy_read_timeout is the gap between two reads; undici splits it into "until the headers" and
      // "between body chunks" — both get the read timeout.
      headersTimeout: readTimeoutMs,
      bodyTimeout: readTimeoutMs,
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
