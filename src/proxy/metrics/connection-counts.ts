// Client connections of the traffic listeners, for ingress-nginx's nginx_process_connections gauges (nginx's
// stub_status: active, reading, writing, waiting) as far as node:http lets them be measured. Plain counters,
// changed once per connection and once per request; read at scrape time. Listeners are shared functions, not
// closures per connection.
import type { Http1Server } from '../http1/http1-server.ts';
import type { Http2SecureServer } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export class ConnectionCounts {
  /** Connections accepted since start (nginx's "accepts"). */
  accepted = 0;
  /** Open client connections on the traffic listeners: plain, TLS (handshake included), HTTP/2, upgraded. */
  active = 0;
  /** Open HTTP/1.x connections: every plain one, and TLS ones whose ALPN did not choose h2. */
  http1 = 0;
  /** Requests in progress: HTTP/1.x requests, HTTP/2 streams, upgrades until their tunnel closes. */
  requests = 0;
  /** The part of `requests` on HTTP/1.x connections (one per busy connection, pipelining aside). */
  http1Requests = 0;
  /** Upgraded connections spliced to a pod (WebSocket tunnels). */
  tunnels = 0;

  /** Counts the connections of a traffic listener (`tls`: the HTTPS listener, HTTP/1.1 or h2 by ALPN). */
  watch(server: Http1Server | Http2SecureServer, tls: boolean): void {
    if (!tls) {
      server.on('connection', this.#onPlainConnection);
      return;
    }
    server.on('connection', this.#onConnection);
    server.on('secureConnection', this.#onSecureConnection);
  }

  requestStarted(http1: boolean): void {
    this.requests++;
    if (http1) this.http1Requests++;
  }

  requestEnded(http1: boolean): void {
    this.requests--;
    if (http1) this.http1Requests--;
  }

  /** HTTP/1.x connections with no request in progress (idle keep-alive, or the next request header arriving). */
  get waiting(): number {
    return Math.max(0, this.http1 - this.http1Requests);
  }

  #onPlainConnection = (socket: Socket): void => {
    this.accepted++;
    this.active++;
    this.http1++;
    socket.once('close', this.#onHttp1Close);
  };

  #onConnection = (socket: Socket): void => {
    this.accepted++;
    this.active++;
    socket.once('close', this.#onClose);
  };

  #onSecureConnection = (socket: TLSSocket): void => {
    if (socket.alpnProtocol === 'h2') return;
    this.http1++;
    socket.once('close', this.#onTlsHttp1Close);
  };

  #onClose = (): void => {
    this.active--;
  };

  #onHttp1Close = (): void => {
    this.active--;
    this.http1--;
  };

  /** The TCP socket under it has its own 'close' (#onClose) for `active`. */
  #onTlsHttp1Close = (): void => {
    this.http1--;
  };
}
