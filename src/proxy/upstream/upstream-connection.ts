// One keep-alive HTTP/1.1 connection to a pod, carrying one exchange at a time (no pipelining, as nginx and
// undici's pipelining: 1): the request head and body go out with back-pressure, node's llhttp parses the answer
// (http-parser.ts), and the connection goes back to its pool only when the exchange ended cleanly — the whole
// request sent, the whole response read, and both sides willing to keep it open.
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { HTTPParser, parseBody, skipBody, type NodeHttpParser } from './http-parser.ts';
import type { BodyFraming } from './request-head.ts';
import { UpstreamError, type UpstreamController, type UpstreamHandler } from './upstream-handler.ts';

export interface ConnectionOwner {
  /** The exchange ended and the connection may carry the next one. */
  released(connection: UpstreamConnection): void;
  /** The connection is gone (closed by either side, or broken). */
  closed(connection: UpstreamConnection): void;
}

export interface ConnectionTarget {
  readonly address: string;
  readonly port: number;
}

/** The longest an idle connection is kept (ingress-nginx's upstream-keepalive-timeout). */
export const keepAliveMaxMs = 60_000;
const noHeaders: readonly string[] = Object.freeze([]);

const outOfTurn = (): UpstreamError => new UpstreamError('SLUICE_BAD_RESPONSE', 'the pod sent bytes out of turn');
const closedBeforeAnswer = 'the pod closed the connection before its answer was complete';

/** How a connection is lost when the pod closed it (or its process went away) while Sluice was writing on it. */
const connectionLossCodes = new Set(['SLUICE_UPSTREAM_CLOSED', 'ECONNRESET', 'EPIPE']);

/**
 * A kept-alive connection the pod closed just as a request went out on it, before a byte of answer: the pod may
 * have closed it as idle (its keep-alive timeout) while the request was on the way. Nothing shows the request was
 * processed, so nginx retries it on a new connection without counting the attempt (ngx_http_upstream_next:
 * `if (u->peer.cached && ft_type == NGX_HTTP_UPSTREAM_FT_ERROR) u->peer.tries++`); the exchange does the same.
 */
function staleConnection(error: Error): UpstreamError {
  const code = (error as { code?: unknown }).code;
  return new UpstreamError('SLUICE_STALE_CONNECTION', `the pod closed a kept-alive connection before answering (${String(code)})`);
}

/**
 * The controller of one exchange: a connection outlives its exchanges, so each gets its own and a late call
 * (a client leaving just after the answer ended) cannot reach the connection's next exchange.
 */
class ExchangeControl implements UpstreamController {
  readonly connection: UpstreamConnection;
  readonly handler: UpstreamHandler;
  rawHeaders: readonly string[] = noHeaders;
  constructor(connection: UpstreamConnection, handler: UpstreamHandler) {
    this.connection = connection;
    this.handler = handler;
  }
  abort(reason: Error): void {
    this.connection.fail(this, reason);
  }
  pause(): void {
    this.connection.pause(this);
  }
  resume(): void {
    this.connection.resume(this);
  }
}

export class UpstreamConnection {
  readonly #owner: ConnectionOwner;
  readonly #socket: Socket;
  readonly #parser: NodeHttpParser;
  #connected = false;
  #gone = false;
  /** The exchange in progress, or null between exchanges. */
  #current: ExchangeControl | null = null;
  #head = '';
  #framing: BodyFraming = 'none';
  #body: Readable | null = null;
  #isHeadRequest = false;
  #requestSent = false;
  /** The final response's headers were parsed (1xx answers are skipped). */
  #responded = false;
  /** The final response's last byte was parsed; delivered once the input at hand is parsed and nothing is paused. */
  #complete = false;
  #informational = false;
  #keepAlive = true;
  #paused = false;
  /** Body chunks parsed while paused (at most the rest of one socket read), delivered on resume(). */
  #queued: Buffer[] | null = null;
  /** Exchanges started on this connection: more than one means the current one reuses it. */
  #exchanges = 0;
  /** A byte of the current exchange's answer arrived. */
  #heard = false;
  /** Header fields node's parser handed over before the end of the header block (more than 32 of them). */
  #pendingHeaders: string[] = [];
  /** A protocol violation seen while parsing: acted on once the parser has returned. */
  #broken: Error | null = null;
  /** How long this connection may stay idle: keepAliveMaxMs, or less if the pod's Keep-Alive header says so. */
  keepAliveMs = keepAliveMaxMs;
  /** performance.now() when it last became idle. */
  idleSince = 0;

  constructor(owner: ConnectionOwner, target: ConnectionTarget, connectTimeoutMs: number) {
    this.#owner = owner;
    const socket = (this.#socket = connect({ host: target.address, port: target.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: keepAliveMaxMs }));
    const timer = setTimeout(() => socket.destroy(new UpstreamError('SLUICE_CONNECT_TIMEOUT', 'connect timed out')), connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      this.#connected = true;
      if (this.#current !== null) this.#send(this.#current);
    });
    socket.on('data', (data: Buffer) => this.#onData(data));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (error: Error) => {
      clearTimeout(timer);
      this.#lost(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      this.#lost(new UpstreamError('SLUICE_UPSTREAM_CLOSED', closedBeforeAnswer));
      this.#parser.close();
    });

    const parser = (this.#parser = new HTTPParser());
    parser.initialize(HTTPParser.RESPONSE, this, 0, HTTPParser.kLenientNone);
    parser[HTTPParser.kOnMessageBegin] = () => {
      // A message starting after the final answer, or with no request out: bytes out of turn (a pod answering
      // twice, or a body longer than it declared). Even incomplete, they make the connection unusable.
      if (this.#complete || this.#current === null) this.#broken ??= outOfTurn();
    };
    parser[HTTPParser.kOnHeaders] = (fields: string[]) => {
      for (const field of fields) this.#pendingHeaders.push(field);
    };
    parser[HTTPParser.kOnHeadersComplete] = (
      _major: number, _minor: number, fields: string[] | undefined, _method: unknown, _url: unknown,
      statusCode: number, _statusMessage: unknown, upgrade: boolean, shouldKeepAlive: boolean,
    ): number => this.#onHeadersComplete(fields, statusCode, upgrade, shouldKeepAlive);
    parser[HTTPParser.kOnBody] = (chunk: Buffer) => this.#onBody(chunk);
    parser[HTTPParser.kOnMessageComplete] = () => this.#onMessageComplete();
  }

  /** False once closed: an idle connection the pod closed is skipped, not reused. */
  get usable(): boolean {
    return !this.#gone;
  }

  /** Carries one exchange: `head` is the request's serialised head (request-head.ts), `body` framed as `framing`. */
  start(handler: UpstreamHandler, head: string, framing: BodyFraming, body: Readable | null, isHeadRequest: boolean): void {
    const control = new ExchangeControl(this, handler);
    this.#current = control;
    this.#exchanges++;
    this.#heard = false;
    this.#head = head;
    this.#framing = framing;
    this.#body = body;
    this.#isHeadRequest = isHeadRequest;
    this.#requestSent = false;
    this.#responded = false;
    this.#complete = false;
    this.#informational = false;
    this.#keepAlive = true;
    this.#broken = null;
    this.#paused = false;
    this.#queued = null;
    if (body !== null) this.#watchBody(control, body);
    if (this.#connected) this.#send(control);
  }

  /** Closes the connection; an exchange in progress fails with `reason`. */
  destroy(reason: Error): void {
    if (this.#current !== null) this.fail(this.#current, reason);
    else this.#close();
  }

  /** The exchange `control` ends with `error` (the handler's abort, or a failure): the connection cannot be reused. */
  fail(control: ExchangeControl, error: Error): void {
    if (this.#current !== control) return;
    this.#current = null;
    this.#dropBody();
    this.#close();
    control.handler.onResponseError(control, error);
  }

  pause(control: ExchangeControl): void {
    if (this.#current !== control || this.#paused) return;
    this.#paused = true;
    this.#socket.pause();
  }

  resume(control: ExchangeControl): void {
    if (this.#current !== control || !this.#paused) return;
    this.#paused = false;
    const queued = this.#queued;
    this.#queued = null;
    if (queued !== null) {
      for (let i = 0; i < queued.length; i++) {
        if (this.#current !== control) return;
        if (this.#paused) {
          // Paused again by one of these chunks: the rest waits for the next resume().
          this.#queued = queued.slice(i);
          return;
        }
        control.handler.onResponseData(control, queued[i]!);
      }
    }
    if (this.#current !== control || this.#paused) return;
    // Resumed also when the answer is complete: the socket goes back to the pool reading, for the next exchange.
    this.#socket.resume();
    if (this.#complete) this.#finish(control);
  }

  #send(control: ExchangeControl): void {
    control.handler.onRequestStart(control);
    if (this.#current !== control) return; // aborted as it started (the client already left)
    this.#socket.write(this.#head, 'latin1');
    this.#head = '';
    const body = this.#body;
    if (body === null) return this.#sent(control);
    const chunked = this.#framing === 'chunked';
    const socket = this.#socket;
    const onData = (chunk: Buffer): void => {
      if (this.#current !== control) return;
      let flushed: boolean;
      if (chunked) {
        if (chunk.length === 0) return; // a zero-length chunk would end the body
        socket.cork();
        socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
        socket.write(chunk);
        flushed = socket.write('\r\n', 'latin1');
        socket.uncork();
      } else {
        flushed = socket.write(chunk);
      }
      control.handler.onBodySent();
      if (!flushed && this.#current === control) {
        body.pause();
        socket.once('drain', () => body.resume());
      }
    };
    const onEnd = (): void => {
      this.#detachBody();
      if (this.#current !== control) return;
      if (chunked) socket.write('0\r\n\r\n', 'latin1');
      this.#sent(control);
    };
    this.#bodyListeners = { onData, onEnd };
    body.on('data', onData);
    body.on('end', onEnd);
  }

  /** The body's data and end listeners while it is being sent. */
  #bodyListeners: { readonly onData: (chunk: Buffer) => void; readonly onEnd: () => void } | null = null;

  /** A body that fails (the client left, proxy-body-size) fails the exchange, also before it is sent. */
  #watchBody(control: ExchangeControl, body: Readable): void {
    body.on('error', (error: Error) => this.fail(control, error));
  }

  /**
   * Stops sending the body. Its error listener stays: a body may fail after its exchange ended (a destroy()
   * already under way), and an 'error' event with no listener is an uncaught exception.
   */
  #detachBody(): void {
    const body = this.#body;
    const listeners = this.#bodyListeners;
    this.#body = null;
    this.#bodyListeners = null;
    if (body === null || listeners === null) return;
    body.off('data', listeners.onData);
    body.off('end', listeners.onEnd);
  }

  #sent(control: ExchangeControl): void {
    this.#requestSent = true;
    control.handler.onRequestSent();
  }

  /** The body is not sent any further: the client's bytes still coming are read and dropped (request-body.ts). */
  #dropBody(): void {
    const body = this.#body;
    if (body === null) return;
    this.#detachBody();
    body.destroy();
  }

  #onHeadersComplete(fields: string[] | undefined, statusCode: number, upgrade: boolean, shouldKeepAlive: boolean): number {
    let headers = fields;
    if (headers === undefined) {
      headers = this.#pendingHeaders;
      this.#pendingHeaders = [];
    }
    const control = this.#current;
    if (control === null || this.#responded) {
      this.#broken ??= outOfTurn();
      return skipBody;
    }
    if (upgrade) {
      // The proxy never asks for an upgrade here (WebSockets go through upgrade/tunnel.ts).
      this.#broken = new UpstreamError('SLUICE_BAD_RESPONSE', 'the pod switched protocols unasked');
      return skipBody;
    }
    if (statusCode < 200) {
      // 100 Continue, 103 Early Hints: the final answer follows on the same connection.
      this.#informational = true;
      return skipBody;
    }
    this.#responded = true;
    this.#keepAlive = shouldKeepAlive && this.#keepAliveFrom(headers);
    control.rawHeaders = headers;
    control.handler.onResponseStart(control, statusCode);
    return this.#isHeadRequest ? skipBody : parseBody;
  }

  /**
   * The pod's `Keep-Alive: timeout=N` (RFC 2068 §19.7.1.1): it closes idle connections after N s, so this one is
   * not reused later than 1 s before that (the race of reusing a connection the pod is closing). False: the pod's
   * limit leaves no safe reuse.
   */
  #keepAliveFrom(headers: readonly string[]): boolean {
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!;
      if (name.length !== 10 || name.toLowerCase() !== 'keep-alive') continue;
      const timeout = /(?:^|[\s,;])timeout\s*=\s*(\d{1,6})/i.exec(headers[i + 1]!);
      if (timeout === null) continue;
      const ms = Number(timeout[1]) * 1000 - 1000;
      if (ms < 1000) return false;
      this.keepAliveMs = Math.min(keepAliveMaxMs, ms);
    }
    return true;
  }

  #onBody(chunk: Buffer): void {
    const control = this.#current;
    if (control === null) return;
    if (this.#paused) (this.#queued ??= []).push(chunk);
    else control.handler.onResponseData(control, chunk);
  }

  #onMessageComplete(): void {
    this.#pendingHeaders.length = 0; // trailers: not passed on (as nginx)
    if (this.#informational) {
      this.#informational = false;
      return;
    }
    if (this.#current !== null && this.#responded) this.#complete = true;
  }

  #onData(data: Buffer): void {
    if (this.#current === null) {
      // Bytes on an idle connection: not an answer to anything, so the connection is not trusted again.
      this.#close();
      return;
    }
    this.#heard = true;
    const result = this.#parser.execute(data);
    if (result instanceof Error) return this.#lost(result);
    this.#afterInput();
  }

  /** The pod closed its side: ends a body delimited by the connection's end, or fails what is unanswered. */
  #onEnd(): void {
    this.#keepAlive = false;
    if (this.#current !== null && this.#responded && !this.#complete) {
      const result = this.#parser.finish();
      if (result instanceof Error) return this.#lost(result);
    }
    if (this.#current !== null && this.#complete) this.#afterInput();
    else this.#lost(new UpstreamError('SLUICE_UPSTREAM_CLOSED', closedBeforeAnswer));
  }

  #afterInput(): void {
    const control = this.#current;
    if (control === null) return;
    if (this.#broken !== null) {
      // A complete answer followed by bytes out of turn still reaches the client; the connection does not survive.
      if (!this.#complete) return this.fail(control, this.#broken);
      this.#keepAlive = false;
    }
    if (!this.#complete) return;
    if (!this.#requestSent) {
      // The pod answered before taking the whole body (a 413, a 401): the rest is not sent, and the connection,
      // with a request cut short on it, is not reused.
      this.#keepAlive = false;
      this.#dropBody();
      this.#requestSent = true;
    }
    // Paused: resume() finishes once the queued chunks are delivered.
    if (!this.#paused) this.#finish(control);
  }

  #finish(control: ExchangeControl): void {
    this.#current = null;
    const reusable = this.#keepAlive && !this.#gone;
    control.handler.onResponseEnd(control);
    if (reusable) this.#owner.released(this);
    else this.#close();
  }

  /** The connection failed or closed: the exchange in progress fails with `error`, unless its answer is all in. */
  #lost(error: Error): void {
    const control = this.#current;
    if (control === null) return this.#close();
    // The whole answer was parsed and waits on a paused client (resume() delivers it): only the connection is lost.
    if (this.#complete) {
      this.#keepAlive = false;
      return this.#close();
    }
    const stale = this.#exchanges > 1 && !this.#heard && connectionLossCodes.has((error as { code?: string }).code ?? '');
    this.fail(control, stale ? staleConnection(error) : error);
  }

  #close(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#socket.destroy();
    this.#owner.closed(this);
  }
}
