// The answer to one Http1Request: the members of node:http's ServerResponse the proxy uses (writeHead with a flat
// header list, setHeader before it, write with back-pressure and 'drain', end, destroy, writeContinue; headersSent,
// writableEnded/writableFinished, destroyed, closed; 'finish' then 'close' once the answer left, 'close' alone when
// the connection ended first) and nothing else: no Writable stream, no per-response timer, one write(2) for the head
// and a small body.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { rawHeaderIndex } from '../headers/raw-header.ts';
import type { Http1Request } from './http1-request.ts';
import { InvalidHeaderError, responseHead, type Framing, type HeadContext } from './response-head.ts';

/** What a response needs of its connection. */
export interface ResponseOwner {
  /** The answer has been handed to the socket whole: the connection calls finished() once it is flushed. */
  responseEnded(res: Http1Response, keepAlive: boolean): void;
}

/** Bodies up to this size leave in one buffer with the head (a copy is cheaper than a corked writev of two). */
const joinLimit = 4096;
const continueLine = 'HTTP/1.1 100 Continue\r\n\r\n';
const lastChunk = '0\r\n\r\n';

export class Http1Response extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  destroyed = false;
  closed = false;
  readonly req: Http1Request;
  readonly socket: Socket;
  readonly #owner: ResponseOwner;
  readonly #context: HeadContext;
  /** setHeader()'s fields, [name, value, …]; null while none. */
  #extra: string[] | null = null;
  /** The head, until it leaves with the first body bytes (or at end()). */
  #head: string | null = null;
  #framing: Framing = 'length';
  #keepAlive = false;

  /**
   * `head`: a HEAD request (no body is sent); `http11`: the client speaks HTTP/1.1 (chunked answers possible);
   * `keepAlive`: the request allows the connection to carry another one; `keepAliveSeconds` is announced then.
   */
  constructor(req: Http1Request, owner: ResponseOwner, head: boolean, http11: boolean, keepAlive: boolean, keepAliveSeconds: number) {
    super();
    this.req = req;
    this.socket = req.socket;
    this.#owner = owner;
    this.#context = { head, http11, keepAlive, keepAliveSeconds };
  }

  setHeader(name: string, value: string | number): this {
    if (this.headersSent) throw new InvalidHeaderError('ERR_HTTP_HEADERS_SENT', 'Cannot set headers after they are sent to the client');
    this.removeHeader(name);
    (this.#extra ??= []).push(name, String(value));
    return this;
  }

  getHeader(name: string): string | undefined {
    const at = this.#indexOf(name);
    return at === -1 ? undefined : this.#extra![at + 1];
  }

  removeHeader(name: string): void {
    const at = this.#indexOf(name);
    if (at !== -1) this.#extra!.splice(at, 2);
  }

  /** `headers`: a flat [name, value, …] list, or an object (as node:http takes both). Throws on invalid fields. */
  writeHead(status: number, headers?: readonly string[] | Record<string, string | number>): this {
    if (this.headersSent) throw new InvalidHeaderError('ERR_HTTP_HEADERS_SENT', 'Cannot write headers after they are sent to the client');
    const fields = headers === undefined ? [] : Array.isArray(headers) ? headers : flatten(headers as Record<string, string | number>);
    const head = responseHead(status, fields, this.#extra, this.#context);
    this.statusCode = status;
    this.headersSent = true;
    this.#head = head.text;
    this.#framing = head.framing;
    this.#keepAlive = head.keepAlive;
    return this;
  }

  writeContinue(): void {
    if (!this.headersSent && !this.socket.destroyed) this.socket.write(continueLine, 'latin1');
  }

  /** False when the socket's buffer is full: wait for 'drain'. */
  write(chunk: Buffer | string): boolean {
    if (this.writableEnded || this.destroyed) return false;
    if (!this.headersSent) this.writeHead(this.statusCode);
    return this.#send(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, false);
  }

  end(chunk?: Buffer | string): this {
    if (this.writableEnded || this.destroyed) return this;
    const body = chunk === undefined ? null : typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (!this.headersSent) this.writeHead(this.statusCode, body === null ? ['Content-Length', '0'] : ['Content-Length', String(body.length)]);
    this.writableEnded = true;
    this.#send(body, true);
    this.#owner.responseEnded(this, this.#keepAlive);
    return this;
  }

  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.socket.destroy();
    return this;
  }

  /** Connection: the last byte of the answer was flushed. */
  finished(): void {
    this.writableFinished = true;
    this.emit('finish');
    this.#close();
  }

  /** Connection: the connection closed before the answer was complete. */
  aborted(): void {
    this.destroyed = true;
    this.#close();
  }

  #close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }

  #send(body: Buffer | null, last: boolean): boolean {
    const socket = this.socket;
    if (socket.destroyed) return false;
    const head = this.#head;
    this.#head = null;
    const framing = this.#framing;
    const bytes = framing === 'none' || body === null ? 0 : body.length;
    if (framing === 'chunked') return this.#sendChunked(head, bytes === 0 ? null : body!, last);
    if (bytes === 0) return head === null ? true : socket.write(head, 'latin1');
    if (head === null) return socket.write(body!);
    if (bytes <= joinLimit) {
      const joined = Buffer.allocUnsafe(head.length + bytes);
      joined.write(head, 0, 'latin1');
      body!.copy(joined, head.length);
      return socket.write(joined);
    }
    socket.cork();
    socket.write(head, 'latin1');
    const more = socket.write(body!);
    socket.uncork();
    return more;
  }

  #sendChunked(head: string | null, body: Buffer | null, last: boolean): boolean {
    const socket = this.socket;
    const text = head ?? '';
    if (body === null) {
      const bytes = last ? text + lastChunk : text;
      return bytes === '' ? true : socket.write(bytes, 'latin1');
    }
    socket.cork();
    socket.write(`${text}${body.length.toString(16)}\r\n`, 'latin1');
    socket.write(body);
    const more = socket.write(last ? `\r\n${lastChunk}` : '\r\n', 'latin1');
    socket.uncork();
    return more;
  }

  #indexOf(name: string): number {
    return this.#extra === null ? -1 : rawHeaderIndex(this.#extra, name.toLowerCase());
  }
}

function flatten(headers: Record<string, string | number>): string[] {
  const fields: string[] = [];
  for (const name of Object.keys(headers)) fields.push(name, String(headers[name]));
  return fields;
}
