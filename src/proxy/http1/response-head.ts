// The status line and header block of an HTTP/1.x answer, as node:http's ServerResponse writes them: every field
// name a token and every value free of control characters (a pod's header must never split the answer or smuggle
// a second one: CVE-2016-2216 class), the framing chosen from what the headers say, Date and Connection added.
import { STATUS_CODES } from 'node:http';
import { rawHeaderIndex } from '../headers/raw-header.ts';
import { httpDate } from '../http-date.ts';

/** RFC 9110 §5.6.2 token: what node's validateHeaderName accepts. */
const token = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
/** node's checkInvalidHeaderChar: HTAB, visible ASCII, space and obs-text only. */
const invalidValue = /[^\t\x20-\x7e\x80-\xff]/;

export class InvalidHeaderError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * How the body of an answer is delimited on the wire. None: HEAD, 1xx, 204, 304 (no body whatever the headers
 * say); Length: Content-Length; Chunked: HTTP/1.1 clients, no length given; Close: until the connection closes
 * (HTTP/1.0 clients, no length given).
 */
export type Framing = 'none' | 'length' | 'chunked' | 'close';

export interface ResponseHead {
  readonly text: string;
  readonly framing: Framing;
  readonly keepAlive: boolean;
}

/** The request side of the decision: its method, version and whether it allows keep-alive. */
export interface HeadContext {
  readonly head: boolean;
  readonly http11: boolean;
  readonly keepAlive: boolean;
  /** Keep-Alive: timeout=… (seconds) on kept-alive answers, as node:http sends it. */
  readonly keepAliveSeconds: number;
}

/**
 * `fields`: [name, value, …] from writeHead, then `extra` (setHeader's, overridden by writeHead's of the same name).
 * Throws InvalidHeaderError (codes as node's: ERR_INVALID_HTTP_TOKEN, ERR_INVALID_CHAR, ERR_HTTP_INVALID_STATUS_CODE).
 */
export function responseHead(status: number, fields: readonly string[], extra: readonly string[] | null, request: HeadContext): ResponseHead {
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new InvalidHeaderError('ERR_HTTP_INVALID_STATUS_CODE', `Invalid status code: ${status}`);
  }
  let text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
  let hasLength = false;
  let hasDate = false;
  let close = false;
  let chunkedGiven = false;
  const lists = extra === null ? 1 : 2;
  for (let list = 0; list < lists; list++) {
    const source = list === 0 ? fields : extra!;
    for (let i = 0; i < source.length; i += 2) {
      const name = source[i]!;
      const value = String(source[i + 1]);
      if (list === 1 && rawHeaderIndex(fields, name.toLowerCase()) !== -1) continue;
      if (!token.test(name)) throw new InvalidHeaderError('ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${name}"]`);
      if (invalidValue.test(value)) throw new InvalidHeaderError('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
      switch (name.length) {
        case 4:
          if (name.toLowerCase() === 'date') hasDate = true;
          break;
        case 10:
          if (name.toLowerCase() === 'connection' && value.toLowerCase() === 'close') close = true;
          break;
        case 14:
          if (name.toLowerCase() === 'content-length') hasLength = true;
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') chunkedGiven = true;
          break;
      }
      text += `${name}: ${value}\r\n`;
    }
  }
  // A Transfer-Encoding of the caller's own: the proxy strips the pod's (hop-by-hop), so only a bug gets here.
  if (chunkedGiven) throw new InvalidHeaderError('ERR_INVALID_HTTP_TOKEN', 'Transfer-Encoding is chosen by the server');
  let framing: Framing;
  if (request.head || status < 200 || status === 204 || status === 304) framing = 'none';
  else if (hasLength) framing = 'length';
  else if (request.http11) framing = 'chunked';
  else framing = 'close';
  const keepAlive = request.keepAlive && !close && framing !== 'close';
  if (framing === 'chunked') text += 'Transfer-Encoding: chunked\r\n';
  if (!hasDate) text += `Date: ${httpDate()}\r\n`;
  if (keepAlive) text += `Connection: keep-alive\r\nKeep-Alive: timeout=${request.keepAliveSeconds}\r\n\r\n`;
  else text += close ? '\r\n' : 'Connection: close\r\n\r\n';
  return { text, framing, keepAlive };
}
