// What an upstream pool is asked to do (UpstreamRequest) and whom it tells how it went (UpstreamHandler), through
// which the handler steers it (UpstreamController). The shapes follow undici's dispatch API, which the proxy used
// before upstream-connection.ts replaced undici on the hot path: same callbacks, same order, same meaning.
import type { Readable } from 'node:stream';

export interface UpstreamRequest {
  readonly method: string;
  /** The request target as sent: origin-form, starting with '/'. */
  readonly path: string;
  /** Flat [name, value, …] list. Host is the pod's own address when absent; Connection is the pool's. */
  readonly headers: readonly string[];
  /** Streamed with back-pressure: length-delimited when `content-length` is among the headers, else chunked. */
  readonly body: Readable | null;
  /** Open a new connection even if one is idle (the retry after a kept-alive one failed: upstream-connection.ts). */
  readonly freshConnection?: boolean;
}

export interface UpstreamController {
  /** Ends the exchange: the connection is closed and onResponseError gets `reason`, once. */
  abort(reason: Error): void;
  /** Stops reading the response (the client's socket is full); body chunks already read wait for resume(). */
  pause(): void;
  resume(): void;
  /** The response's header fields as on the wire, names in the pod's casing: [name, value, …]. */
  readonly rawHeaders: readonly string[];
}

export interface UpstreamHandler {
  /** A connected socket is about to carry the request (a kept-alive one, or one just opened for it). */
  onRequestStart(controller: UpstreamController): void;
  /** The socket took one more chunk of the request body. */
  onBodySent(): void;
  /** The socket took the whole request. */
  onRequestSent(): void;
  /** Status line and headers of the final response (1xx answers are not reported). */
  onResponseStart(controller: UpstreamController, statusCode: number): void;
  onResponseData(controller: UpstreamController, chunk: Buffer): void;
  onResponseEnd(controller: UpstreamController): void;
  /** The exchange failed: before the response (no controller when no socket was reached) or during it. */
  onResponseError(controller: UpstreamController | null, error: Error): void;
}

/** An upstream failure: `code` is what errors.ts classifies. */
export class UpstreamError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
