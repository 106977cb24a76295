// nginx's $request_length (ingress-nginx's request_size): request line, header and body, as HTTP/1.1 would carry
// them. Computed from what node:http parsed (header bytes as `name: value` CRLF), not counted off the socket: a
// keep-alive socket's byte counter does not say where one request ends, and HTTP/2 shares one socket.
import type { IncomingMessage } from 'node:http';
import { rawHeaderValue } from '../headers/raw-header.ts';

/** The request line and header block, final empty line included. */
export function headerLength(req: IncomingMessage): number {
  // "METHOD SP target SP HTTP/1.1 CRLF"
  let length = (req.method ?? '').length + (req.url ?? '').length + 12;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) length += raw[i]!.length + raw[i + 1]!.length + 4;
  return length + 2;
}

/** Header block plus body: the Content-Length, or `bodyBytes` (what was streamed) for a chunked body. */
export function requestLength(req: IncomingMessage, bodyBytes: number): number {
  const declared = rawHeaderValue(req.rawHeaders, 'content-length');
  const body = declared === '' ? bodyBytes : Number(declared);
  return headerLength(req) + (Number.isSafeInteger(body) && body >= 0 ? body : bodyBytes);
}
