// Binding a listener: resolves with the port the OS gave (port 0 asks for a free one), rejects with the bind error
// (a port in use, an address not on this host) instead of letting it surface as an unhandled 'error' event.
import { Server as NetServer, type AddressInfo, type Server, type Socket } from 'node:net';

export function listen(server: Server, options: { readonly port: number; readonly host: string; readonly reusePort?: boolean }): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Listening sockets per port across the data plane, shared out over the workers (acceptorsPerWorker).
 *
 * Why: libuv accepts ONE connection per event-loop iteration per listening socket (since libuv 1.45, Node ≥ 20:
 * libuv/libuv#3696; nginx without multi_accept also takes one per event). Under load an iteration serves
 * every ready connection — ≈ 200 × 70 µs ≈ 14 ms for one Sluice worker at 200 busy keep-alive connections — so a
 * burst of new connections waited up to one iteration each: wrk's 200 connections, opened at once at the start
 * of a run, got their first answers after a median 110–230 ms and at most 0.64–1.0 s on a warm Sluice (1.4 s
 * just after start), while requests on established connections stayed under ≈ 70 ms at p99.9. Those 200 first
 * requests are 0.2 % of an 8 s run at 12k req/s, so they were its p99.9: the 0.3–0.5 s of issue 8's tail
 * scenario. With K sockets on the port (SO_REUSEPORT) the kernel spreads new connections over them by hash and up
 * to K are accepted per iteration. One worker, wrk -c200 (3 runs each, quiet machine): K = 1: p99.9 74–544 ms,
 * first answers median 109–233 ms, max 0.64–1.0 s; K = 16: p99.9 79–140 ms, max 83–159 ms; K = 32: p99.9 69–76
 * ms, max 81–119 ms; K = 64: p99.9 66–74 ms, first answers median 16–27 ms, max 61–85 ms (nginx: max 13–71 ms).
 * `npm run bench -- --scenario tail`, twice each, quiet machine: Sluice's p99.9 per round 248–813 ms (K = 1)
 * against 51–97 ms (K = 64), nginx 8–18 ms in both. Throughput is unchanged: sockets with nothing to accept cost
 * nothing per iteration (epoll reports only ready ones). Each worker receives 1/N of the connections, so N
 * workers need 1/N of the sockets each.
 */
export const acceptorsPerPort = 64;

export function acceptorsPerWorker(workers: number): number {
  return Math.max(1, Math.ceil(acceptorsPerPort / Math.max(1, workers)));
}

const acceptors = new WeakMap<Server, readonly NetServer[]>();

/**
 * listen() with SO_REUSEPORT, then `count - 1` more sockets bound to the port the server got, whose connections
 * the server handles as its own: node:http, node:https and node:http2 servers all take a connection through their
 * 'connection' event. The extra sockets close with stopListening(server).
 */
export async function listenWithAcceptors(server: Server, options: { readonly port: number; readonly host: string }, count: number): Promise<number> {
  const port = await listen(server, { ...options, reusePort: true });
  // The socket options node:net applies at accept time are the accepting server's: copy the proxy server's
  // (node:http's noDelay and allowHalfOpen true; the TLS server's own). node:net keeps the keep-alive delay in s.
  const own = server as Server & { allowHalfOpen: boolean; pauseOnConnect: boolean; noDelay: boolean; keepAlive: boolean; keepAliveInitialDelay: number; highWaterMark: number };
  const socketOptions = {
    allowHalfOpen: own.allowHalfOpen,
    pauseOnConnect: own.pauseOnConnect,
    noDelay: own.noDelay,
    keepAlive: own.keepAlive,
    keepAliveInitialDelay: own.keepAliveInitialDelay * 1000,
    highWaterMark: own.highWaterMark,
  };
  const extra = Array.from({ length: Math.max(0, count - 1) }, () => new NetServer(socketOptions, (socket: Socket) => server.emit('connection', socket)));
  acceptors.set(server, extra);
  // Every bind settles before a failure is acted on, so none is left listening behind it.
  const bound = await Promise.allSettled(extra.map((acceptor) => listen(acceptor, { port, host: options.host, reusePort: true })));
  const failed = bound.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await stopListening(server);
    throw failed.reason;
  }
  return port;
}

/**
 * Stops accepting on the server and on its extra sockets at once (before the first await); resolves when all of
 * them have closed, i.e. when every connection any of them accepted has ended (node:net counts them per socket).
 */
export function stopListening(server: Server): Promise<void> {
  const all = [server, ...(acceptors.get(server) ?? [])];
  acceptors.delete(server);
  return Promise.all(
    all.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))),
  ).then(() => undefined);
}
