// The keep-alive connections to one pod address: an exchange takes the most recently idled connection (the one
// least likely to have been closed by the pod meanwhile) or opens a new one; there is no limit on connections in
// use, as nginx and undici's Pool have none. Idle ones are kept up to nginx's upstream-keepalive-connections
// (320) and for at most upstream-keepalive-timeout (60 s, or less if the pod says so), then closed.
import { requestHead, type BodyFraming } from './request-head.ts';
import { UpstreamConnection, type ConnectionOwner, type ConnectionTarget } from './upstream-connection.ts';
import { UpstreamError, type UpstreamHandler, type UpstreamRequest } from './upstream-handler.ts';

/** ingress-nginx's upstream-keepalive-connections: idle connections kept per upstream and worker. */
export const maxIdleConnections = 320;

export class UpstreamPool implements ConnectionOwner {
  readonly #target: ConnectionTarget;
  /** The pod's address as a Host value, for a request that has none (request-head.ts). */
  readonly #hostValue: string;
  readonly #connectTimeoutMs: () => number;
  /** Idle connections, the most recently idled last. */
  readonly #idle: UpstreamConnection[] = [];
  readonly #all = new Set<UpstreamConnection>();
  #closing = false;
  /** Settled when the last connection has closed, after close() or destroy(). */
  #emptied: { readonly promise: Promise<void>; readonly resolve: () => void } | null = null;

  constructor(target: ConnectionTarget & { readonly key: string }, connectTimeoutMs: () => number) {
    this.#target = { address: target.address, port: target.port };
    this.#hostValue = target.key;
    this.#connectTimeoutMs = connectTimeoutMs;
  }

  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void {
    if (this.#closing) return failSoon(handler, new UpstreamError('SLUICE_POOL_CLOSED', 'the endpoint was removed'));
    let head: string;
    let framing: BodyFraming;
    try {
      ({ head, framing } = requestHead(request.method, request.path, request.headers, request.body !== null, this.#hostValue));
    } catch (error: unknown) {
      return failSoon(handler, error as Error);
    }
    const connection = (request.freshConnection === true ? undefined : this.#idleConnection()) ?? this.#open();
    connection.start(handler, head, framing, request.body, request.method === 'HEAD');
  }

  /** Connections open (idle or in use). */
  get size(): number {
    return this.#all.size;
  }

  get idleCount(): number {
    return this.#idle.length;
  }

  /** Closes idle connections idle for longer than their keep-alive time (upstream-pools.ts calls it every second). */
  closeExpired(now: number): void {
    const idle = this.#idle;
    // Oldest first: the first one still within its time ends the sweep for all but a pod-shortened few.
    while (idle.length > 0 && now - idle[0]!.idleSince >= idle[0]!.keepAliveMs) idle.shift()!.destroy(poolClosed);
  }

  /** No new exchanges; idle connections close now, busy ones when their exchange ends. Resolves when all have. */
  close(): Promise<void> {
    this.#closing = true;
    for (const connection of this.#idle.splice(0)) connection.destroy(poolClosed);
    return this.#empty();
  }

  /** close(), and exchanges in progress fail now (SLUICE_POOL_CLOSED). */
  destroy(): Promise<void> {
    this.#closing = true;
    this.#idle.length = 0;
    for (const connection of [...this.#all]) connection.destroy(poolClosed);
    return this.#empty();
  }

  released(connection: UpstreamConnection): void {
    if (this.#closing || this.#idle.length >= maxIdleConnections) return connection.destroy(poolClosed);
    connection.idleSince = performance.now();
    this.#idle.push(connection);
  }

  closed(connection: UpstreamConnection): void {
    this.#all.delete(connection);
    const at = this.#idle.lastIndexOf(connection);
    if (at !== -1) this.#idle.splice(at, 1);
    if (this.#all.size === 0) this.#emptied?.resolve();
  }

  #idleConnection(): UpstreamConnection | undefined {
    const idle = this.#idle;
    let connection = idle.pop();
    // The pod may have closed it a moment ago ('end' not yet read), or its keep-alive time may have run out
    // since the last sweep: either way, not reused.
    while (connection !== undefined && (!connection.usable || performance.now() - connection.idleSince >= connection.keepAliveMs)) {
      connection.destroy(poolClosed);
      connection = idle.pop();
    }
    return connection;
  }

  #open(): UpstreamConnection {
    const connection = new UpstreamConnection(this, this.#target, this.#connectTimeoutMs());
    this.#all.add(connection);
    return connection;
  }

  #empty(): Promise<void> {
    if (this.#all.size === 0) return Promise.resolve();
    this.#emptied ??= Promise.withResolvers<void>();
    return this.#emptied.promise;
  }
}

const poolClosed = new UpstreamError('SLUICE_POOL_CLOSED', 'the upstream connection was closed by the proxy');

/** Failures found before any connection is involved reach the handler as connection failures do: later, not inside dispatch(). */
function failSoon(handler: UpstreamHandler, error: Error): void {
  queueMicrotask(() => handler.onResponseError(null, error));
}
