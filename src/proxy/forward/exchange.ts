// One proxied request: picks an endpoint, dispatches on its pool, and relays the response with back-pressure.
// It is the upstream pool's handler itself (upstream/upstream-handler.ts), so a request costs no handler object.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BackendTarget, GlobalSettings, Route } from '../../model/index.ts';
import { pickEndpoint } from '../balancer/pick-endpoint.ts';
import type { UpstreamEndpoint } from '../endpoints/upstream-endpoint.ts';
import { classifyUpstreamError, isRetryable, statusFor, type ProxyErrorKind } from '../errors.ts';
import { buildResponseHeaders } from '../headers/response-headers.ts';
import type { RequestRecord } from '../metrics/request-observer.ts';
import { maxAttempts, type ProxyContext } from '../proxy-context.ts';
import { sendError } from '../respond.ts';
import { ownConnectTimeoutOf, readTimeoutOf, sendTimeoutOf } from '../route-timeouts.ts';
import type { UpstreamController as Controller, UpstreamHandler } from '../upstream/upstream-handler.ts';
import type { ReadWaiter } from './read-deadlines.ts';
import { RequestBody } from './request-body.ts';

/** Abort reason when the client left: shared, since it is never shown and needs no stack. */
const clientGone = Object.assign(new Error('client closed the connection'), { code: 'SLUICE_CLIENT_GONE' });
const intercepted = Object.assign(new Error('answer replaced by an error page'), { code: 'SLUICE_INTERCEPTED' });
const invalidResponse = Object.assign(new Error('invalid upstream response headers'), { code: 'SLUICE_BAD_RESPONSE' });
const readTimeout = Object.assign(new Error('the pod sent nothing for proxy-read-timeout'), { code: 'SLUICE_READ_TIMEOUT' });
const sendTimeout = Object.assign(new Error('the pod took nothing more of the request for proxy-send-timeout'), { code: 'SLUICE_SEND_TIMEOUT' });

/**
 * Methods retried on another endpoint (RFC 9110 §9.2.2 idempotent, minus TRACE which we never want to repeat).
 * Only without a body: the body is streamed, not buffered (ingress-nginx buffers by default), so bytes a failed
 * attempt consumed cannot be sent again.
 */
function isIdempotent(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'PUT' || method === 'DELETE';
}

export class Exchange implements UpstreamHandler, ReadWaiter {
  readonly #ctx: ProxyContext;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #route: Route;
  readonly #backend: BackendTarget;
  readonly #headers: string[];
  readonly #body: RequestBody | null;
  /** The route's own proxy-connect-timeout (its pools), or null: the shared pools, the global value's. */
  readonly #connectTimeoutMs: number | null;
  /** proxy-read-timeout / proxy-send-timeout: the route's annotation, else the request's table's setting. */
  readonly #readTimeoutMs: number;
  readonly #sendTimeoutMs: number;
  /**
   * The request is being written to the pod (from onRequestStart to onRequestSent, or to the pod's answer if that
   * comes first): the deadline is proxy-send-timeout's, restarted by each write; after it, proxy-read-timeout's.
   */
  #sending = false;
  /**
   * ReadWaiter: when the pod must have taken or sent something by (read-deadlines.ts); Infinity while not waiting
   * on it.
   */
  readDeadline = Number.POSITIVE_INFINITY;
  /** ReadWaiter: links of read-deadlines.ts's watch list. */
  readPrev: ReadWaiter | null = null;
  readNext: ReadWaiter | null = null;
  readonly #retryable: boolean;
  /** The request target sent upstream (the client's, or the rewritten one). */
  readonly #target: string;
  /** custom-http-errors: called instead of relaying an intercepted status (null: relay everything). */
  readonly #onIntercept: ((status: number) => boolean) | null;
  #intercepted = false;
  #controller: Controller | null = null;
  #endpoint: UpstreamEndpoint | undefined;
  /** Keys of endpoints that failed before answering (allocated only on a first failure). */
  #tried: string[] | undefined;
  #attempts = 0;
  /** A kept-alive connection failed under an attempt and the request went once more on a new one (#retryStale). */
  #staleRetried = false;
  #clientGone = false;
  /** Metrics / access-log notes; null when both are off. */
  readonly #record: RequestRecord | null;

  constructor(
    ctx: ProxyContext,
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    backend: BackendTarget,
    headers: string[],
    body: RequestBody | null,
    target: string,
    onIntercept: ((status: number) => boolean) | null,
    record: RequestRecord | null,
    settings: GlobalSettings,
  ) {
    this.#record = record;
    this.#ctx = ctx;
    this.#req = req;
    this.#res = res;
    this.#route = route;
    this.#backend = backend;
    this.#headers = headers;
    this.#body = body;
    this.#connectTimeoutMs = ownConnectTimeoutOf(route, settings);
    this.#readTimeoutMs = readTimeoutOf(route, settings);
    this.#sendTimeoutMs = sendTimeoutOf(route, settings);
    this.#retryable = body === null && isIdempotent(req.method ?? '');
    this.#target = target;
    this.#onIntercept = onIntercept;
    // One 'close' listener per response: the metrics record's, which tells this exchange, when there is one.
    // Each listener more made a listener array per response and, with the record's, the GC state of
    // bench/README.md ("Two GC states") 2 processes in 3 instead of 0 in 3.
    if (record !== null) record.closeWatcher = this;
    else res.on('close', () => this.responseClosed());
  }

  /**
   * Sends the request to the next endpoint; false when no endpoint is left to try. `freshConnection`: on a new
   * connection even if one is idle (only the attempt after a kept-alive one failed: later attempts reuse again).
   */
  dispatch(freshConnection = false): boolean {
    // Read afresh on each attempt: an endpoint removed since the first attempt is not retried.
    const endpoint = pickEndpoint(this.#ctx, this.#backend, this.#tried);
    if (endpoint === undefined) return false;
    this.#endpoint = endpoint;
    this.#controller = null;
    this.#attempts++;
    this.#record?.upstreamStarted(endpoint.key);
    // The original request target (or its rewrite), never the normalised path: the pod sees what the client sent.
    // nginx's proxy_read_timeout (the gap between two reads from the pod) is timed here (read-deadlines.ts), read
    // per request, so a ConfigMap change applies to the next request without touching the pools.
    const request = { method: this.#req.method!, path: this.#target, headers: this.#headers, body: this.#body, freshConnection };
    this.#ctx.pools.get(endpoint, this.#connectTimeoutMs).dispatch(request, this);
    return true;
  }

  onRequestStart(controller: Controller): void {
    // Called when the request is about to be written on a connected socket (a kept-alive one or a new one).
    this.#record?.upstreamConnected();
    this.#controller = controller;
    if (this.#clientGone) return controller.abort(clientGone);
    // From here the exchange waits on the pod: first for it to take the request (proxy-send-timeout between two
    // writes, as nginx's proxy_send_timeout), then for its answer (proxy-read-timeout between two reads).
    this.#sending = true;
    this.readProgress();
    this.#ctx.readDeadlines.watch(this);
  }

  /**
   * A body chunk went to the pod's socket (upstream-connection.ts). With the socket's buffer full no more are
   * taken until 'drain', so a pod that stops reading stops these calls: the gap between two of them is nginx's
   * "two successive write operations". Also a client that stalls mid-upload stops them, as nginx's send timer
   * runs while an unbuffered body waits on the client (proxy-request-buffering off).
   */
  onBodySent(): void {
    this.readProgress();
  }

  /** The last of the request went to the socket: from now on the exchange waits for the answer. */
  onRequestSent(): void {
    this.#sending = false;
    this.readProgress();
  }

  onResponseStart(controller: Controller, statusCode: number): void {
    // An answer before the whole body was taken (a 413, a 401): reads are what the exchange waits for now.
    this.#sending = false;
    this.readProgress();
    this.#record?.upstreamHeaders(statusCode);
    // proxy_intercept_errors: the pod's answer is dropped (connection included) and the error page served.
    if (this.#onIntercept !== null && this.#onIntercept(statusCode)) {
      this.#intercepted = true;
      controller.abort(intercepted);
      return;
    }
    // Raw headers keep the pod's casing and order.
    const headers = buildResponseHeaders(controller.rawHeaders);
    try {
      this.#res.writeHead(statusCode, headers);
    } catch (error: unknown) {
      // node:http rejects header values it considers unsafe (ERR_INVALID_CHAR…): the pod's answer is unusable.
      const endpoint = this.#endpoint?.key;
      this.#ctx.logger.warn({ err: error, route: this.#route.id, endpoint }, 'upstream response headers rejected');
      controller.abort(invalidResponse);
      return;
    }
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    // Back-pressure: a slow client pauses the pod's socket instead of filling our memory.
    if (this.#record !== null) this.#record.upstreamBytes += chunk.length;
    if (this.#res.write(chunk)) return this.readProgress();
    controller.pause();
    // Paused, nothing is read from the pod: its silence is not a read timeout (undici's bodyTimeout, which this
    // replaced, skipped paused bodies too). 'drain' resumes both; listened for only now, not on every response.
    this.readDeadline = Number.POSITIVE_INFINITY;
    this.#res.once('drain', () => this.#drained());
  }

  onResponseEnd(): void {
    this.#ctx.readDeadlines.unwatch(this);
    this.#record?.upstreamEnded(this.#record.upstreamStatus);
    // Trailers are dropped: HTTP/1.1 clients rarely ask for them (TE: trailers) and nginx does not pass them.
    this.#res.end();
  }

  onResponseError(_controller: Controller | null, error: Error): void {
    this.#ctx.readDeadlines.unwatch(this);
    if (this.#clientGone || this.#intercepted) return; // our own abort: answered elsewhere, or nobody left
    const res = this.#res;
    if (res.headersSent) {
      // Mid-response failure (read timeout, pod died): cutting the connection is the only way to tell the
      // client its response is incomplete.
      this.#log(error, 'upstream failed mid-response');
      res.destroy();
      return;
    }
    const kind = classifyUpstreamError(error);
    // proxy-body-size, counted while streaming (request-body.ts): the client's fault, not the pod's.
    if (kind === 'body-too-large') return sendError(res, kind, true);
    if (this.#retryable && this.#retryStale(error)) return;
    if (this.#retryable && isRetryable(kind) && this.#retry()) return;
    this.#ctx.observer?.upstreamError(kind);
    this.#record?.upstreamEnded(statusFor(kind));
    this.#log(error, 'upstream failed', kind);
    // error_page applies to the proxy's own 502/504 answers too.
    if (this.#onIntercept !== null && this.#onIntercept(statusFor(kind))) return;
    sendError(res, kind, this.#body !== null);
  }

  /**
   * A kept-alive connection the pod closed under the request before any answer: tried again on a new connection,
   * without counting the attempt against the endpoint, once (a new connection cannot fail that way). nginx does the
   * same (upstream-connection.ts), so a Service with one pod answers instead of 502 when the pod's keep-alive timeout
   * and a request cross.
   */
  #retryStale(error: Error): boolean {
    if (this.#staleRetried || (error as { code?: unknown }).code !== 'SLUICE_STALE_CONNECTION') return false;
    this.#staleRetried = true;
    this.#ctx.logger.debug({ route: this.#route.id, endpoint: this.#endpoint!.key }, 'retrying on a new connection: the kept-alive one closed');
    return this.dispatch(true);
  }

  #retry(): boolean {
    (this.#tried ??= []).push(this.#endpoint!.key);
    if (this.#tried.length >= maxAttempts) return false;
    this.#ctx.logger.debug({ route: this.#route.id, endpoint: this.#endpoint!.key }, 'retrying on the next endpoint');
    return this.dispatch();
  }

  #log(error: Error, message: string, kind?: ProxyErrorKind): void {
    const code = (error as { code?: unknown }).code;
    const attempts = this.#attempts;
    this.#ctx.logger.warn({ route: this.#route.id, endpoint: this.#endpoint?.key, code, kind, attempts }, message);
  }

  /** ReadWaiter: the send or read timeout passed with no progress; onResponseError answers 504 or cuts. */
  readTimedOut(): void {
    this.#controller?.abort(this.#sending ? sendTimeout : readTimeout);
  }

  /**
   * The wait on the pod starts (again): the request started, the pod took a body chunk or all of the request, or
   * it sent something. While sending it is proxy-send-timeout's, then proxy-read-timeout's.
   */
  readProgress(): void {
    this.readDeadline = performance.now() + (this.#sending ? this.#sendTimeoutMs : this.#readTimeoutMs);
  }

  /** The response's 'close' (through the metrics record, or a listener of its own). */
  responseClosed(): void {
    // 'close' also follows a completed response; only an unfinished one means the client went away.
    if (this.#res.writableFinished) return;
    this.#clientGone = true;
    this.#controller?.abort(clientGone);
    this.#body?.destroy();
  }

  #drained(): void {
    this.readProgress();
    this.#controller?.resume();
  }
}
