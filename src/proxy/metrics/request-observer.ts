// The end of every request, for metrics and the access log: created by the request handler only when one of
// them is on (ProxyContext.observer null ⇒ one null check per request). A RequestRecord travels with the request
// so the stages can note what only they know (route, upstream address/status/times, request id); the 'close'
// event of the response (of the socket, for an upgrade) then turns it into a metric cell update and, if on, one
// access-log line.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http1Server } from '../http1/http1-server.ts';
import type { Http2SecureServer } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { GlobalSettings, Route } from '../../model/index.ts';
import type { AccessLog } from '../access-log/access-log.ts';
import type { ProxyErrorKind } from '../errors.ts';
import type { ConnectionCounts } from './connection-counts.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';
import type { RequestMeasures } from './request-cells.ts';
import { headerLength, requestLength } from './request-length.ts';

export class RequestRecord implements RequestMeasures {
  route: Route | null = null;
  /** performance.now() when the handler started. */
  readonly start: number;
  /** Socket bytes written before this response (HTTP/1: the delta is nginx's $bytes_sent). */
  readonly bytesBefore: number;
  /** Upgrades: socket bytes read before the bytes that followed the handshake header. */
  readonly bytesReadBefore: number;
  /** Upgrades: the status written on the raw socket (101 once spliced); 0 while none. */
  status = 0;
  upstreamAddress = '';
  upstreamStatus = 0;
  upstreamStart = 0;
  /** Seconds from dispatch to the last response byte; -1 when no upstream answered. */
  upstreamSeconds = -1;
  /** Seconds from dispatch to a connected upstream socket (the last attempt); -1 when none connected. */
  upstreamConnectSeconds = -1;
  /** Seconds from dispatch to the upstream's response header; -1 when none arrived. */
  upstreamHeaderSeconds = -1;
  /** Body bytes relayed from the upstream (HTTP/2 responses report this as bytes sent). */
  upstreamBytes = 0;
  /** Request body bytes streamed to the upstream (a chunked body's length). */
  requestBodyBytes = 0;
  requestId = '';
  /** The client address after real-IP processing, once request-flow.ts computed it ('' before). */
  clientAddress = '';
  /** ConfigMap disable-access-log, from the request's table (begin()); metrics count the request either way. */
  accessLogged = true;
  /** Set when the request ends: request time, nginx's $request_length and $bytes_sent. */
  requestSeconds = 0;
  requestBytes = 0;
  responseBytes = 0;
  /** Told of the response's 'close' before it is counted (the exchange: a client gone mid-answer aborts it). */
  closeWatcher: { responseClosed(): void } | null = null;

  constructor(start: number, bytesBefore: number, bytesReadBefore = 0) {
    this.start = start;
    this.bytesBefore = bytesBefore;
    this.bytesReadBefore = bytesReadBefore;
  }

  upstreamStarted(address: string): void {
    this.upstreamAddress = this.upstreamAddress === '' ? address : `${this.upstreamAddress}, ${address}`;
    this.upstreamStart = performance.now();
    this.upstreamConnectSeconds = -1;
    this.upstreamHeaderSeconds = -1;
  }

  upstreamConnected(): void {
    this.upstreamConnectSeconds = (performance.now() - this.upstreamStart) / 1000;
  }

  upstreamHeaders(status: number): void {
    this.upstreamStatus = status;
    this.upstreamHeaderSeconds = (performance.now() - this.upstreamStart) / 1000;
  }

  upstreamEnded(status: number): void {
    this.upstreamStatus = status;
    this.upstreamSeconds = (performance.now() - this.upstreamStart) / 1000;
  }
}

export class RequestObserver {
  readonly metrics: ProxyMetrics | null;
  readonly accessLog: AccessLog | null;
  readonly #connections: ConnectionCounts | null;

  constructor(metrics: ProxyMetrics | null, accessLog: AccessLog | null) {
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.#connections = metrics?.connections ?? null;
  }

  /** Counts a traffic listener's connections (the connection gauges); `tls`: the HTTPS listener. */
  watchServer(server: Http1Server | Http2SecureServer, tls: boolean): void {
    this.#connections?.watch(server, tls);
  }

  begin(req: IncomingMessage, res: ServerResponse, settings: GlobalSettings): RequestRecord {
    const http1 = req.httpVersionMajor !== 2;
    const record = new RequestRecord(performance.now(), http1 ? (req.socket?.bytesWritten ?? 0) : 0);
    record.accessLogged = !settings.disableAccessLog;
    this.#connections?.requestStarted(http1);
    // 'close' follows 'finish' for completed responses and also fires when the client leaves (nginx's 499). It
    // fires once: `on`, not `once`, spares once()'s wrapper objects.
    res.on('close', () => {
      record.closeWatcher?.responseClosed();
      this.#end(req, res, record);
    });
    return record;
  }

  /**
   * An upgrade request (upgrade/upgrade-handler.ts), ended when its socket closes: a WebSocket is counted and
   * logged once, with status 101, its bytes each way and its whole duration, as nginx logs it when it ends.
   * `head`: the bytes node:http read past the handshake header (already in the socket's byte count).
   */
  beginUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, settings: GlobalSettings): RequestRecord {
    const s = socket as Socket;
    const record = new RequestRecord(performance.now(), s.bytesWritten ?? 0, (s.bytesRead ?? 0) - head.length);
    record.accessLogged = !settings.disableAccessLog;
    this.#connections?.requestStarted(true);
    socket.once('close', () => this.#endUpgrade(req, s, record));
    return record;
  }

  /** The upgrade was answered 101 and its sockets spliced (until the client socket closes). */
  tunnelOpened(record: RequestRecord): void {
    record.status = 101;
    if (this.#connections !== null) this.#connections.tunnels++;
  }

  upstreamError(kind: ProxyErrorKind): void {
    this.metrics?.upstreamError(kind);
  }

  #end(req: IncomingMessage, res: ServerResponse, record: RequestRecord): void {
    const http1 = req.httpVersionMajor !== 2;
    record.requestSeconds = (performance.now() - record.start) / 1000;
    record.requestBytes = requestLength(req, record.requestBodyBytes);
    record.responseBytes = http1 ? (req.socket?.bytesWritten ?? 0) - record.bytesBefore : record.upstreamBytes;
    this.#connections?.requestEnded(http1);
    this.#finish(req, record, res.writableFinished ? res.statusCode : 499);
  }

  #endUpgrade(req: IncomingMessage, socket: Socket, record: RequestRecord): void {
    record.requestSeconds = (performance.now() - record.start) / 1000;
    // The handshake, then every byte the client sent after it (through the tunnel, or left unread).
    record.requestBytes = headerLength(req) + (socket.bytesRead ?? 0) - record.bytesReadBefore;
    record.responseBytes = (socket.bytesWritten ?? 0) - record.bytesBefore;
    const connections = this.#connections;
    if (connections !== null) {
      connections.requestEnded(true);
      if (record.status === 101) connections.tunnels--;
    }
    // A tunnel's upstream time is its lifetime: the two sockets close together.
    if (record.status === 101 && record.upstreamSeconds < 0) record.upstreamEnded(101);
    this.#finish(req, record, record.status === 0 ? 499 : record.status);
  }

  /** Every request ends here, plain or upgrade: one metric cell update, one access-log line. */
  #finish(req: IncomingMessage, record: RequestRecord, status: number): void {
    this.metrics?.requests.observe(record, req.method ?? '', status);
    if (record.accessLogged) this.accessLog?.write(req, record, status);
  }
}
