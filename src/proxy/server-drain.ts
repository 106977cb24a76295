// Graceful shutdown of one listener: stop accepting, let requests (and HTTP/2 streams) in flight finish for up
// to the grace period, then cut whatever is left. node:http and node:http2 need different calls for each step.
import type { Server } from 'node:http';
import type { Http2SecureServer, ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** What the HTTPS listener tracks itself: node:http2 has no closeAllConnections(). */
export interface SecureConnections {
  readonly sessions: Set<ServerHttp2Session>;
  readonly sockets: Set<Socket>;
}

export async function drainServer(
  server: Server | Http2SecureServer,
  secure: SecureConnections | null,
  tunnels: Set<Duplex>,
  graceMs: number,
): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
  // HTTP/2: node:http2's server.close() sends GOAWAY on every session (nodejs/node#57586, test/e2e/http2-drain):
  // streams already open finish, the client opens new ones elsewhere.
  // close() only drops connections idle at that instant; a keep-alive connection whose response finishes later
  // would sit idle until keepAliveTimeout (75 s). Sweeping idle ones while waiting lets drain end as soon as
  // the last in-flight response does.
  const closeIdle = closeIdleOf(server);
  closeIdle();
  const sweeper = setInterval(closeIdle, 50);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([closed, graceOver]);
  clearInterval(sweeper);
  clearTimeout(timer);
  cutEverything(server, secure, tunnels);
  await closed;
}

/**
 * node:http2's secure server has closeIdleConnections() for its allowHTTP1 connections since Node 22 (nodejs/node
 * #51569), but @types/node does not declare it.
 */
function closeIdleOf(server: Server | Http2SecureServer): () => void {
  const target = server as unknown as { closeIdleConnections(): void };
  return () => target.closeIdleConnections();
}

function cutEverything(server: Server | Http2SecureServer, secure: SecureConnections | null, tunnels: Set<Duplex>): void {
  if (secure === null) (server as Server).closeAllConnections();
  else {
    for (const session of secure.sessions) session.destroy();
    for (const socket of secure.sockets) socket.destroy();
  }
  for (const socket of tunnels) socket.destroy();
}
