// A client's HTTP/1.x request as Sluice's own server (http1-server.ts) hands it to the request handler: the members
// of node:http's IncomingMessage the proxy reads (request-handler.ts and the stages after it: method, url,
// rawHeaders, headers, httpVersion*, socket, complete; the 'data'/'end'/'close' events with pause() and resume()
// for the body), without a Readable stream under it. The body's bytes come from the connection's parser; they
// are held here while nobody takes them (no 'data' listener yet, or paused), and reading from the socket stops
// once more than a socket read's worth is held — the back-pressure node's Readable gives, without its machinery.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

/** What the request needs of its connection: stop and restart reading the socket. */
export interface BodySource {
  holdBody(): void;
  releaseBody(): void;
}

/** Bytes held before the socket stops being read (one read of node's net.Socket is up to 64 KiB). */
const heldLimit = 64 * 1024;

export class Http1Request extends EventEmitter {
  readonly method: string;
  /** The request target; absolute-form.ts rewrites it in place. */
  url: string;
  readonly rawHeaders: string[];
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
  readonly httpVersion: string;
  readonly socket: Socket;
  /** The whole message (headers and body) has been parsed. */
  complete = false;
  #headers: Record<string, string> | null = null;
  readonly #source: BodySource;
  /** Body chunks not yet emitted, and their bytes. */
  #held: Buffer[] | null = null;
  #heldBytes = 0;
  #paused = false;
  /** The message completed while chunks were held or the request was paused: 'end' follows them. */
  #endHeld = false;
  #ended = false;
  /** The answer is done and the rest of the body is read only to be dropped (node's req._dump()). */
  #dumping = false;
  #closed = false;

  constructor(method: string, url: string, rawHeaders: string[], major: number, minor: number, socket: Socket, source: BodySource) {
    super();
    this.method = method;
    this.url = url;
    this.rawHeaders = rawHeaders;
    this.httpVersionMajor = major;
    this.httpVersionMinor = minor;
    this.httpVersion = major === 1 && minor === 1 ? '1.1' : `${major}.${minor}`;
    this.socket = socket;
    this.#source = source;
  }

  /**
   * node:http's lower-cased header object, built on first use (the proxy reads rawHeaders; absolute-form.ts sets
   * `host` here). Repeated fields are joined with ", " (set-cookie, never in a request, aside).
   */
  get headers(): Record<string, string> {
    if (this.#headers !== null) return this.#headers;
    const headers: Record<string, string> = {};
    const raw = this.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      const value = raw[i + 1]!;
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    return (this.#headers = headers);
  }

  pause(): this {
    this.#paused = true;
    return this;
  }

  /** Emits what is held ('end' included), then lets the connection read again. */
  resume(): this {
    this.#paused = false;
    this.#flush();
    return this;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Connection: a body chunk arrived. */
  bodyChunk(chunk: Buffer): void {
    if (this.#dumping) return;
    if (this.#held === null && !this.#paused && this.listenerCount('data') > 0) {
      this.emit('data', chunk);
      return;
    }
    (this.#held ??= []).push(chunk);
    this.#heldBytes += chunk.length;
    if (this.#heldBytes > heldLimit) this.#source.holdBody();
  }

  /** Connection: the message is complete. */
  messageComplete(): void {
    this.complete = true;
    if (this.#dumping) return;
    if (this.#held !== null || this.#paused) this.#endHeld = true;
    else this.#end();
  }

  /** Connection: the answer is done; whatever of the body still comes is dropped. */
  dump(): void {
    this.#dumping = true;
    this.#held = null;
    this.#heldBytes = 0;
    this.#source.releaseBody();
  }

  /** Connection: the request is over (answered and complete, or the connection closed). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('close');
  }

  #flush(): void {
    const held = this.#held;
    if (held !== null) {
      this.#held = null;
      this.#heldBytes = 0;
      for (let i = 0; i < held.length; i++) {
        this.emit('data', held[i]);
        // A listener paused again: keep the rest for the next resume().
        if (this.#paused && i < held.length - 1) {
          this.#held = held.slice(i + 1);
          for (const chunk of this.#held) this.#heldBytes += chunk.length;
          return;
        }
      }
    }
    if (this.#paused) return;
    if (this.#endHeld) {
      this.#endHeld = false;
      this.#end();
    }
    this.#source.releaseBody();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.emit('end');
  }
}
