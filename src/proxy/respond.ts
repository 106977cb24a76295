// Writing the catalogue's error answers, on a ServerResponse or (for upgrade requests) on a raw socket.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorReply, type ErrorReply, type ProxyErrorKind } from './errors.ts';
import { httpDate } from './http-date.ts';

/**
 * Answers `kind` unless a response has already started — then the only honest signal left is to cut the
 * connection (a second status line would corrupt the stream). `closeConnection` when part of the request body
 * may be unread: the connection cannot carry another request.
 */
export function sendError(res: ServerResponse, kind: ProxyErrorKind, closeConnection = false): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const reply = errorReply(kind);
  // HTTP/2 forbids connection-specific headers (RFC 9113 §8.2.2) and needs none: ending the stream with its
  // body unread resets only that stream, and the connection carries on.
  const closing = closeConnection && res.req.httpVersionMajor !== 2;
  // Still sending its body: the connection reads and drops the rest for a while after this answer, so the client
  // gets it, not a reset (http1/http1-connection.ts, lingering-close.ts). The frozen lists are only read by
  // writeHead, which copies them into the header block.
  res.writeHead(reply.status, (closing ? reply.closingHeaders : reply.headers) as string[]);
  res.end(reply.body);
}

/** The same answer on a socket that left node:http's control (the 'upgrade' event), then closes it. */
export function sendRawError(socket: Duplex, kind: ProxyErrorKind): void {
  sendRawReply(socket, errorReply(kind));
}

/** `reply` on a raw socket, then closes it. `extra`: further header lines ("Name: value\r\n" each), or ''. */
export function sendRawReply(socket: Duplex, reply: ErrorReply, extra = ''): void {
  if (socket.destroyed) return;
  let head = `HTTP/1.1 ${reply.status} ${reply.reason}\r\n`;
  for (let i = 0; i < reply.closingHeaders.length; i += 2) {
    head += `${reply.closingHeaders[i]}: ${reply.closingHeaders[i + 1]}\r\n`;
  }
  head += `Date: ${httpDate()}\r\n${extra}\r\n`;
  // Destroy once flushed: the connection is closed by us, whether or not the client ever sends its FIN.
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), reply.body]), () => socket.destroy());
}

/** A redirect on a raw socket (upgrade requests): status line, Location, no body, then close. */
export function sendRawRedirect(socket: Duplex, status: number, location: string): void {
  if (socket.destroyed) return;
  const head =
    `HTTP/1.1 ${status} Redirect\r\nLocation: ${location}\r\nContent-Length: 0\r\nConnection: close\r\n` +
    `Date: ${httpDate()}\r\n\r\n`;
  socket.end(Buffer.from(head, 'latin1'), () => socket.destroy());
}
