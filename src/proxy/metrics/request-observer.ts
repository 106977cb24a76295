// The end of every request, for metrics and the access log: created by the request handler only when one of
// them is on (ProxyContext.observer null ⇒ one null check per request). A RequestRecord travels with the request
// so the stages can note what only they know (route, upstream address/status/time, request id); the 'close'
// event of the response then turns it into a metric cell update and, if on, one access-log line.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GlobalSettings, Route } from '../../model/index.ts';
import type { AccessLog } from '../access-log/access-log.ts';
import type { ProxyErrorKind } from '../errors.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';

export class RequestRecord {
  route: Route | null = null;
  /** performance.now() when the handler started. */
  readonly start: number;
  /** Socket bytes written before this response (HTTP/1: the delta is nginx's $bytes_sent). */
  readonly bytesBefore: number;
  upstreamAddress = '';
  upstreamStatus = 0;
  upstreamStart = 0;
  /** Seconds from dispatch to the last response byte; -1 when no upstream answered. */
  upstreamSeconds = -1;
  /** Body bytes relayed from the upstream (HTTP/2 responses report this as bytes sent). */
  upstreamBytes = 0;
  requestId = '';
  /** The client address after real-IP processing, once request-flow.ts computed it ('' before). */
  clientAddress = '';
  /** ConfigMap disable-access-log, from the request's table (begin()); metrics count the request either way. */
  accessLogged = true;

  constructor(start: number, bytesBefore: number) {
    this.start = start;
    this.bytesBefore = bytesBefore;
  }

  upstreamStarted(address: string): void {
    this.upstreamAddress = this.upstreamAddress === '' ? address : `${this.upstreamAddress}, ${address}`;
    this.upstreamStart = performance.now();
  }

  upstreamEnded(status: number): void {
    this.upstreamStatus = status;
    this.upstreamSeconds = (performance.now() - this.upstreamStart) / 1000;
  }
}

export class RequestObserver {
  readonly metrics: ProxyMetrics | null;
  readonly accessLog: AccessLog | null;

  constructor(metrics: ProxyMetrics | null, accessLog: AccessLog | null) {
    this.metrics = metrics;
    this.accessLog = accessLog;
  }

  begin(req: IncomingMessage, res: ServerResponse, settings: GlobalSettings): RequestRecord {
    const socket = req.httpVersionMajor === 2 ? null : req.socket;
    const record = new RequestRecord(performance.now(), socket?.bytesWritten ?? 0);
    record.accessLogged = !settings.disableAccessLog;
    // 'close' follows 'finish' for completed responses and also fires when the client leaves (nginx's 499).
    res.once('close', () => this.#end(req, res, record));
    return record;
  }

  upstreamError(kind: ProxyErrorKind): void {
    this.metrics?.upstreamError(kind);
  }

  #end(req: IncomingMessage, res: ServerResponse, record: RequestRecord): void {
    const seconds = (performance.now() - record.start) / 1000;
    const status = res.writableFinished ? res.statusCode : 499;
    this.metrics?.requests.observe(record.route, req.method ?? '', status, seconds);
    if (record.accessLogged) this.accessLog?.write(req, res, record, status, seconds);
  }
}
