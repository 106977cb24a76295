// The client's request body as undici consumes it. Not the IncomingMessage itself: undici destroys the body
// stream it was given when the upstream fails, and destroying an unfinished IncomingMessage destroys the client
// socket — the client would get a reset instead of the 502 it is owed. This thin Readable forwards the bytes
// with back-pressure (no buffering beyond one highWaterMark) and lets go of the request when destroyed.
//
// It also enforces proxy-body-size for bodies whose length is not declared up front (chunked HTTP/1.1, HTTP/2
// without content-length), as nginx counts them: once more than the limit has arrived, the body fails with
// SLUICE_BODY_TOO_LARGE, undici aborts the upstream request, and the Exchange answers 413.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

class ClientAbortedError extends Error {
  readonly code = 'ECONNRESET';
}

class BodyTooLargeError extends Error {
  readonly code = 'SLUICE_BODY_TOO_LARGE';
}

export class RequestBody extends Readable {
  readonly #req: IncomingMessage;
  /** The metrics record, which counts the bytes (a chunked body's $request_length); null when metrics are off. */
  readonly #counter: { requestBodyBytes: number } | null;
  /** Bytes allowed; 0: not counted (no limit, or a Content-Length already checked against it). */
  readonly #limit: number;
  #received = 0;

  constructor(req: IncomingMessage, counter: { requestBodyBytes: number } | null = null, limit = 0) {
    super();
    this.#req = req;
    this.#counter = counter;
    this.#limit = limit;
    req.on('data', this.#onData);
    req.on('end', this.#onEnd);
    req.on('error', this.#onError);
    req.on('close', this.#onClose);
  }

  override _read(): void {
    this.#req.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#detach();
    // Whatever the pod did not read is read and dropped, as nginx discards an unread body: a pod that answers
    // early (413, 401) leaves the client connection usable for its next request. After an error answer the
    // connection is closed instead (`Connection: close`), which ends the discarding.
    this.#req.resume();
    callback(error);
  }

  #onData = (chunk: Buffer): void => {
    if (this.#counter !== null) this.#counter.requestBodyBytes += chunk.length;
    // nginx: "client intended to send too large chunked body" once the total passes client_max_body_size.
    if (this.#limit !== 0 && (this.#received += chunk.length) > this.#limit) {
      this.destroy(new BodyTooLargeError('the request body is larger than proxy-body-size'));
      return;
    }
    if (!this.push(chunk)) this.#req.pause();
  };

  #onEnd = (): void => {
    this.#detach();
    this.push(null);
  };

  #onError = (error: Error): void => {
    this.destroy(error);
  };

  #onClose = (): void => {
    // 'close' without 'end': the client went away mid-upload. The upstream request must fail (undici aborts it
    // when its body errors), not end as if the body were complete.
    if (!this.#req.complete) this.destroy(new ClientAbortedError('client closed the request body'));
  };

  #detach(): void {
    this.#req.off('data', this.#onData);
    this.#req.off('end', this.#onEnd);
    this.#req.off('error', this.#onError);
    this.#req.off('close', this.#onClose);
  }
}
