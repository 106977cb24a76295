// One client connection of Sluice's HTTP/1.x server: node's llhttp parser (the one node:http's server uses) fed
// from the socket, one request answered at a time in arrival order (pipelined ones wait their turn, and the socket
// is not read meanwhile), keep-alive as the request and the answer allow, and the ending nginx gives a connection:
// the answer first, then a FIN, and where part of a request body is still on its way, lingering — read and drop what
// still arrives for a while — so the client reads its answer instead of a reset.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { rawHeaderIndex } from '../headers/raw-header.ts';
import { lingerThenClose } from '../lingering-close.ts';
import { HTTPParser, methods, type NodeHttpParser } from '../upstream/http-parser.ts';
import { Http1Request, type BodySource } from './http1-request.ts';
import { Http1Response, type ResponseOwner } from './http1-response.ts';

/** What a connection needs of its server (http1-server.ts). */
export interface ConnectionHost {
  /** A coarse performance.now(), advanced by the timeout sweep: when a connection went idle or began a head. */
  readonly clock: number;
  readonly keepAliveSeconds: number;
  /** Emits 'request'. */
  request(req: Http1Request, res: Http1Response): void;
  /** Emits 'upgrade' with the socket, which leaves the server. */
  upgrade(req: Http1Request, socket: Socket, head: Buffer): void;
  forget(connection: Http1Connection): void;
}

const emptyBuffer = Buffer.alloc(0);

export class Http1Connection implements BodySource, ResponseOwner {
  readonly socket: Socket;
  readonly #host: ConnectionHost;
  readonly #parser: NodeHttpParser;
  /** Header fields and target of a head llhttp delivered in parts (more than 32 fields, or split reads). */
  #fields: string[] = [];
  #url = '';
  /** The request being answered, and its answer. */
  #current: Http1Request | null = null;
  #response: Http1Response | null = null;
  /** The answer ended (the connection waits for the flush, or for the rest of the request body). */
  #answered = false;
  #keepAlive = false;
  /** The request whose body is being parsed (the current one, or a pipelined one waiting). */
  #parsing: Http1Request | null = null;
  /** Pipelined requests (and their answers), in order, waiting for the current one to be answered. */
  #waiting: (Http1Request | Http1Response)[] | null = null;
  /** An upgrade request whose head was just parsed: the socket is handed over after execute() returns. */
  #upgrade: Http1Request | null = null;
  /** The socket is not read because a request holds as much body as it may (pipelined requests waiting: #waiting). */
  #heldForBody = false;
  /** The connection is closing (an answer said close, or a request was refused): input is read and dropped. */
  #ending = false;
  /** host.clock when the connection went idle; when the current head began (-1: no head in progress). */
  idleSince: number;
  headStarted = -1;

  constructor(socket: Socket, host: ConnectionHost) {
    this.socket = socket;
    this.#host = host;
    this.idleSince = host.clock;
    const parser = (this.#parser = new HTTPParser());
    parser.initialize(HTTPParser.REQUEST, {}, 0, HTTPParser.kLenientNone);
    parser[HTTPParser.kOnHeaders] = this.#onHeaders;
    parser[HTTPParser.kOnHeadersComplete] = this.#onHeadersComplete;
    parser[HTTPParser.kOnBody] = this.#onBody;
    parser[HTTPParser.kOnMessageComplete] = this.#onMessageComplete;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('drain', this.#onDrain);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
  }

  /** No request in progress, none waiting, no head arriving: closing it loses nothing (drain, keep-alive timeout). */
  get idle(): boolean {
    return this.#current === null && this.#parsing === null && this.headStarted === -1 && !this.#ending;
  }

  /** The head did not complete within headersTimeout: node's (and nginx's client_header_timeout) 408. */
  headTimedOut(): void {
    this.#refuse(408);
  }

  // BodySource: a request holds more body than it may (nobody reads it yet), or has been read down again.
  holdBody(): void {
    this.#heldForBody = true;
    this.socket.pause();
  }

  releaseBody(): void {
    if (!this.#heldForBody) return;
    this.#heldForBody = false;
    if (this.#waiting === null) this.socket.resume();
  }

  // ResponseOwner
  responseEnded(res: Http1Response, keepAlive: boolean): void {
    if (res !== this.#response) return;
    this.#answered = true;
    this.#keepAlive = keepAlive;
    // 'finish' once the bytes are with the kernel: at once when the socket took them whole (the usual case: one
    // write of head and body), else behind what is still queued.
    if (this.socket.writableLength === 0) process.nextTick(this.#flushed);
    else this.socket.write(emptyBuffer, this.#flushed);
  }

  #onData = (data: Buffer): void => {
    if (this.#ending) return;
    if (this.#parsing === null && this.#current === null && this.headStarted === -1) this.headStarted = this.#host.clock;
    const result = this.#parser.execute(data);
    if (typeof result !== 'number') return this.#parseFailed(result);
    const upgrade = this.#upgrade;
    if (upgrade !== null) this.#handOver(upgrade, result < data.length ? data.subarray(result) : emptyBuffer);
  };

  #onHeaders = (fields: string[], url: string): void => {
    for (const field of fields) this.#fields.push(field);
    this.#url += url;
  };

  #onHeadersComplete = (
    major: number, minor: number, fields: string[] | undefined, method: number, url: string | undefined,
    _status: unknown, _message: unknown, upgrade: boolean, shouldKeepAlive: boolean,
  ): number => {
    const rawHeaders = fields ?? this.#fields;
    if (fields === undefined) this.#fields = [];
    const target = url ?? this.#url;
    this.#url = '';
    this.headStarted = -1;
    if (this.#ending) return 0;
    const name = methods[method] ?? 'GET';
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is answered 400 (node:http's requireHostHeader, nginx alike).
    if (major === 1 && minor === 1 && rawHeaderIndex(rawHeaders, 'host') === -1) {
      this.#refuse(400);
      return 0;
    }
    const req = new Http1Request(name, target, rawHeaders, major, minor, this.socket, this);
    if (upgrade) {
      // CONNECT is no proxy's business here (node:http closes such a connection without a 'connect' listener).
      if (name === 'CONNECT' || this.#current !== null) this.socket.destroy();
      else this.#upgrade = req;
      return 0;
    }
    const http11 = major === 1 && minor >= 1;
    const res = new Http1Response(req, this, name === 'HEAD', http11, shouldKeepAlive, this.#host.keepAliveSeconds);
    this.#parsing = req;
    if (this.#current === null) this.#dispatch(req, res);
    else {
      (this.#waiting ??= []).push(req, res);
      this.socket.pause();
    }
    return 0;
  };

  #onBody = (chunk: Buffer): void => {
    this.#parsing?.bodyChunk(chunk);
  };

  #onMessageComplete = (): void => {
    const req = this.#parsing;
    if (req === null) return;
    this.#parsing = null;
    req.messageComplete();
    // Answered before its body was all in (and the answer kept the connection): the next request may start now.
    if (req === this.#current && this.#answered && this.#response!.writableFinished) this.#next();
  };

  #dispatch(req: Http1Request, res: Http1Response): void {
    this.#current = req;
    this.#response = res;
    this.#answered = false;
    this.#host.request(req, res);
  }

  /** The answer left: on to the next request, or the connection's end. */
  #flushed = (error?: Error | null): void => {
    const res = this.#response;
    if (error != null || res === null || res.closed || this.socket.destroyed) return;
    res.finished();
    const req = this.#current!;
    if (!this.#keepAlive) return this.#endAfterAnswer(req);
    if (!req.complete) {
      // The rest of the body is read and dropped; the next request follows it (#onMessageComplete).
      req.dump();
      return;
    }
    this.#next();
  };

  #next(): void {
    this.#current!.close();
    this.#current = null;
    this.#response = null;
    this.#answered = false;
    const waiting = this.#waiting;
    if (waiting !== null) {
      const req = waiting.shift() as Http1Request;
      const res = waiting.shift() as Http1Response;
      if (waiting.length === 0) {
        this.#waiting = null;
        if (!this.#heldForBody) this.socket.resume();
      }
      return this.#dispatch(req, res);
    }
    this.idleSince = this.#host.clock;
  }

  /** `Connection: close` answered: FIN once it is flushed; linger if the client may still be sending a body. */
  #endAfterAnswer(req: Http1Request): void {
    const socket = this.socket;
    if (req.complete) {
      socket.end(() => socket.destroy());
      return;
    }
    this.#ending = true;
    lingerThenClose(socket);
  }

  #handOver(req: Http1Request, head: Buffer): void {
    this.#upgrade = null;
    this.#detach();
    const socket = this.socket;
    // Nothing is read until the upgrade's owner reads (node:http does the same before 'upgrade').
    socket.pause();
    (socket as unknown as { readableFlowing: boolean | null }).readableFlowing = null;
    this.#host.upgrade(req, socket, head);
  }

  /** node:http's answers to a request it cannot parse (400, 431 for an oversized head, 413) or a late head (408). */
  #parseFailed(error: Error & { code?: string }): void {
    const code = error.code;
    this.#refuse(code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : 400);
  }

  #refuse(status: number): void {
    const socket = this.socket;
    // Mid-answer, a status line would land inside another response: the only signal left is the reset.
    if (this.#current !== null || !socket.writable) {
      socket.destroy();
      return;
    }
    this.#ending = true;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`, 'latin1', () => socket.destroy());
  }

  /**
   * The client's FIN. Idle: the connection ends. With a request in progress: the client is gone (nginx's 499,
   * node:http's abort without httpAllowHalfOpen) — the answer's 'close' comes without 'finish'.
   */
  #onEnd = (): void => {
    if (this.#ending || this.#current !== null || this.#parsing !== null) return void this.socket.destroy();
    this.socket.end(() => this.socket.destroy());
  };

  #onDrain = (): void => {
    this.#response?.emit('drain');
  };

  #onError = (): void => {
    this.socket.destroy();
  };

  #onClose = (): void => {
    this.#host.forget(this);
    this.#parser.close();
    const res = this.#response;
    if (res !== null && !res.closed) res.aborted();
    this.#current?.close();
    if (this.#parsing !== this.#current) this.#parsing?.close();
  };

  #detach(): void {
    const socket = this.socket;
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    socket.off('drain', this.#onDrain);
    socket.off('close', this.#onClose);
    this.#host.forget(this);
    this.#parser.close();
  }
}
