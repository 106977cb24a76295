// Graceful shutdown of one listener: announce it (keep-alive clients told to reconnect), later stop accepting,
// let requests (and HTTP/2 streams) in flight finish for up to the grace period, then cut whatever is left.
// node:http and node:http2 need different calls for each step.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2SecureServer, ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Http1Server } from './http1/http1-server.ts';
import { stopListening } from './listen.ts';

/** What the HTTPS listener tracks itself: node:http2 has no closeAllConnections(). */
export interface SecureConnections {
  readonly sessions: Set<ServerHttp2Session>;
  readonly sockets: Set<Socket>;
  /** The server of its HTTP/1.x connections (never listening itself). */
  readonly http1: Http1Server;
}

/**
 * From now on every HTTP/1.1 response carries `Connection: close`, so each keep-alive client reconnects after its
 * next response, through the Service, and lands on a pod that is not leaving (once kube-proxy has noticed). The
 * listener keeps accepting meanwhile: connections kube-proxy still sends here are served, not refused. The
 * listener is added only now, so normal operation pays nothing for it. HTTP/2 has no such header (it is a
 * protocol error there); its sessions get GOAWAY when the listener closes (drainServer).
 */
export function announceShutdown(server: Http1Server): void {
  const closeAfterResponse = (_req: IncomingMessage, res: ServerResponse): void => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  };
  server.prependListener('request', closeAfterResponse);
}

export async function drainServer(
  server: Http1Server | Http2SecureServer,
  secure: SecureConnections | null,
  tunnels: Set<Duplex>,
  graceMs: number,
): Promise<void> {
  // The server's listening socket and its extra acceptors (listen.ts) stop accepting now; resolves once every
  // connection any of them accepted has ended.
  const closed = stopListening(server);
  // HTTP/2: node:http2's server.close() sends GOAWAY on every session (nodejs/node#57586, test/e2e/http2-drain):
  // streams already open finish, the client opens new ones elsewhere.
  // close() only drops connections idle at that instant; a keep-alive connection whose response finishes later
  // would sit idle until keepAliveTimeout (75 s). Sweeping idle ones while waiting lets drain end as soon as
  // the last in-flight response does.
  const http1 = secure === null ? (server as Http1Server) : secure.http1;
  const closeIdle = (): void => http1.closeIdleConnections();
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

function cutEverything(server: Http1Server | Http2SecureServer, secure: SecureConnections | null, tunnels: Set<Duplex>): void {
  if (secure === null) (server as Http1Server).closeAllConnections();
  else {
    for (const session of secure.sessions) session.destroy();
    for (const socket of secure.sockets) socket.destroy();
  }
  for (const socket of tunnels) socket.destroy();
}
