// nginx's lingering_close for answers that leave part of the request body unread (413 for proxy-body-size, an
// upstream failure mid-upload). Such an answer says `Connection: close`, and node then ends the connection
// (socket.destroySoon(): FIN once the answer is flushed, then destroy). Destroying a socket while the client is
// still sending makes the kernel answer the next bytes with RST, and an RST can discard the answer before the
// client has read it: the client sees "connection reset" (or EPIPE) instead of its 413. nginx keeps reading and
// dropping what still arrives for a while after the answer; so does this, bounded like nginx: until the client
// closes, or sends nothing for lingeringTimeoutMs, or lingeringTimeMs have passed (nginx's defaults, 5 s and 30 s).
// A shutdown's drain counts a lingering connection as in flight, so it is cut at the grace period at the latest.
// This serves node:http's machinery (the TLS listener's HTTP/1.1); Sluice's own server on the plain listener lingers
// by itself (http1/http1-connection.ts), and there the 'finish' below finds no destroy to replace.
import type { ServerResponse } from 'node:http';

const lingeringTimeoutMs = 5_000;
const lingeringTimeMs = 30_000;

/** Call before ending `res` (HTTP/1.1, `Connection: close`); HTTP/2 resets only the stream and needs none of this. */
export function lingerAfter(res: ServerResponse): void {
  const socket = res.socket;
  if (socket === null) return;
  // Runs right after node's own 'finish' handler (registered first, when the response was created), which has
  // just called destroySoon(): its deferred destroy is replaced by the bounded lingering below.
  res.once('finish', () => {
    if (socket.destroyed || !socket.listeners('finish').includes(socket.destroy)) return;
    socket.removeListener('finish', socket.destroy);
    const close = (): void => void socket.destroy();
    const deadline = setTimeout(close, lingeringTimeMs);
    deadline.unref();
    socket.setTimeout(lingeringTimeoutMs, close);
    socket.once('end', close);
    socket.once('close', () => clearTimeout(deadline));
    // The request parser is still attached and drops the rest of the body (node dumps an unread request).
    socket.resume();
  });
}
