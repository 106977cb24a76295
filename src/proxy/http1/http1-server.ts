// Sluice's HTTP/1.x server (the plain listener, and the TLS listener's connections that are not h2): a net.Server whose connections node's llhttp parses directly
// (http1-connection.ts), emitting node:http's 'request' (req, res) and 'upgrade' (req, socket, head) events with
// objects that carry the members of IncomingMessage and ServerResponse the proxy uses (http1-request.ts,
// http1-response.ts), plus closeIdleConnections()/closeAllConnections() for the drain.
//
// Why not node:http's server: it costs ≈ 7 µs of CPU per request on this machine — IncomingMessage and
// ServerResponse are full streams (8 nextTicks per request), every header is processed into objects, and each
// request re-arms a socket timer. Measured by the bench's llhttp floor row against its node floor row (the same
// relay with and without node:http's server; bench/RESULTS.md at dbe0b15): 26.0 against 33.0 µs per request,
// p99 2.76 against 3.99 ms at 50 connections. Sluice's p99 at 50 connections (4.16 ms, 2.44× nginx's) is what it
// costs per request times the queue, so this is the cost issue 8's p99 target is about.
//
// Timeouts without a timer per request or per connection: one sweep a second over the connections, as node:http
// checks its headersTimeout (every 30 s there) — keep-alive idle (keepAliveTimeout) ends the connection, a head
// that has not completed within headersTimeout gets 408.
import { Server as NetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Http1Connection, type ConnectionHost } from './http1-connection.ts';
import type { Http1Request } from './http1-request.ts';
import type { Http1Response } from './http1-response.ts';

export interface Http1ServerOptions {
  /** An idle keep-alive connection is closed after this long (ingress-nginx: 75 s). */
  readonly keepAliveTimeout: number;
  /** A request head must be complete this long after its first byte (ingress-nginx client-header-timeout: 60 s). */
  readonly headersTimeout: number;
}

const sweepMs = 1000;

export class Http1Server extends NetServer implements ConnectionHost {
  readonly keepAliveTimeout: number;
  readonly headersTimeout: number;
  readonly keepAliveSeconds: number;
  clock = performance.now();
  readonly #connections = new Set<Http1Connection>();
  #sweeper: NodeJS.Timeout | null = null;

  constructor(options: Http1ServerOptions, onRequest?: (req: Http1Request, res: Http1Response) => void) {
    // node:http's socket options: no Nagle delay, and a client's FIN does not end our side before its answer.
    super({ noDelay: true, allowHalfOpen: true });
    this.keepAliveTimeout = options.keepAliveTimeout;
    this.headersTimeout = options.headersTimeout;
    this.keepAliveSeconds = Math.floor(options.keepAliveTimeout / 1000);
    this.on('connection', this.#accept);
    if (onRequest !== undefined) this.on('request', onRequest);
  }

  /** Ends every connection with no request in progress (node:http's method of the same name). */
  closeIdleConnections(): void {
    for (const connection of this.#connections) if (connection.idle) connection.socket.destroy();
  }

  /** Ends every connection (node:http's method of the same name). */
  closeAllConnections(): void {
    for (const connection of this.#connections) connection.socket.destroy();
  }

  request(req: Http1Request, res: Http1Response): void {
    this.emit('request', req, res);
  }

  upgrade(req: Http1Request, socket: Socket, head: Buffer): void {
    if (this.listenerCount('upgrade') === 0) socket.destroy();
    else this.emit('upgrade', req, socket, head);
  }

  forget(connection: Http1Connection): void {
    this.#connections.delete(connection);
  }

  #accept = (socket: Socket): void => {
    if (this.#sweeper === null) {
      this.clock = performance.now();
      this.#sweeper = setInterval(this.#sweep, sweepMs).unref();
    }
    this.#connections.add(new Http1Connection(socket, this));
  };

  #sweep = (): void => {
    if (this.#connections.size === 0) {
      clearInterval(this.#sweeper!);
      this.#sweeper = null;
      return;
    }
    const now = (this.clock = performance.now());
    for (const connection of this.#connections) {
      if (connection.headStarted !== -1) {
        if (now - connection.headStarted > this.headersTimeout) connection.headTimedOut();
      } else if (connection.idle && now - connection.idleSince > this.keepAliveTimeout) connection.socket.destroy();
    }
  };
}
