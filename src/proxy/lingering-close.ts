// nginx's lingering_close for answers that leave part of the request body unread (413 for proxy-body-size, an
// upstream failure mid-upload). Such an answer says `Connection: close`, so the connection ends after it.
// Destroying a socket while the client is still sending makes the kernel answer the next bytes with RST, and an
// RST can discard the answer before the client has read it: the client sees "connection reset" (or EPIPE) instead
// of its 413. nginx keeps reading and dropping what still arrives for a while after the answer; so does this,
// bounded like nginx: until the client closes, or sends nothing for lingeringTimeoutMs, or lingeringTimeMs have
// passed (nginx's defaults, 5 s and 30 s). A shutdown's drain counts a lingering connection as in flight, so it is
// cut at the grace period at the latest. Every HTTP/1.x connection is Sluice's own server's (http1/), which calls
// this once the answer is flushed; HTTP/2 resets only the stream and needs none of it.
import type { Socket } from 'node:net';

const lingeringTimeoutMs = 5_000;
const lingeringTimeMs = 30_000;

/** FIN after the flushed answer, then read and drop what the client still sends, until one of nginx's bounds. */
export function lingerThenClose(socket: Socket): void {
  socket.end();
  const close = (): void => void socket.destroy();
  const deadline = setTimeout(close, lingeringTimeMs);
  deadline.unref();
  socket.setTimeout(lingeringTimeoutMs, close);
  socket.once('end', close);
  socket.once('close', () => clearTimeout(deadline));
  socket.resume();
}
