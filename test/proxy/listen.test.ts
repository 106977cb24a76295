// The proxy listeners' extra accepting sockets (src/proxy/listen.ts): libuv accepts one connection per listening
// socket and event-loop iteration, so a burst of new connections on a busy worker waited one iteration each
// (issue 8's p99.9 at 200 connections). These tests count accepts per iteration, and check that connections taken
// by the extra sockets are the server's own: its socket options, and its drain (stopListening).
import { createServer, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptorsPerWorker, listenWithAcceptors, stopListening } from '../../src/proxy/listen.ts';

const host = '127.0.0.1';
let servers: Server[] = [];
let clients: Socket[] = [];

afterEach(async () => {
  for (const c of clients) c.destroy();
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => stopListening(s)));
  servers = [];
  clients = [];
});

function httpServer(): Server {
  const server = createServer((_req, res) => res.end('ok'));
  servers.push(server);
  return server;
}

/**
 * Opens `n` connections at once (their handshakes complete in the kernel, before the server's next poll), then
 * counts the server's 'connection' events per event-loop iteration (an iteration ends with its setImmediate
 * phase). Returns the largest count seen in one iteration.
 */
async function mostAcceptsInOneIteration(server: Server, port: number, n: number): Promise<number> {
  const perIteration: number[] = [0];
  let accepted = 0;
  const all = new Promise<void>((resolve) =>
    server.on('connection', () => {
      perIteration[perIteration.length - 1]!++;
      if (++accepted === n) resolve();
    }),
  );
  let counting = true;
  const tick = (): void => {
    perIteration.push(0);
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  for (let i = 0; i < n; i++) clients.push(connect(port, host).on('error', () => {}));
  await all;
  counting = false;
  return Math.max(...perIteration);
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

describe('proxy listeners: extra accepting sockets', () => {
  it('accepts one connection per socket and loop iteration without them (the libuv behaviour they work around)', async () => {
    const server = httpServer();
    const port = await listenWithAcceptors(server, { port: 0, host }, 1);
    // If this fails, libuv accepts in a loop again (libuv/libuv#3696 reverted) and the extra sockets can go.
    expect(await mostAcceptsInOneIteration(server, port, 32)).toBe(1);
  });

  it('accepts several connections of a burst in one iteration with them', async () => {
    const server = httpServer();
    const port = await listenWithAcceptors(server, { port: 0, host }, 16);
    // The kernel spreads connections over the 16 sockets by hash: 32 of them land on several sockets.
    expect(await mostAcceptsInOneIteration(server, port, 32)).toBeGreaterThan(2);
  });

  it('hands the server sockets with its own options, and every connection is served', async () => {
    const server = httpServer();
    const sockets: Socket[] = [];
    server.on('connection', (s: Socket) => sockets.push(s));
    const port = await listenWithAcceptors(server, { port: 0, host }, 8);
    const bodies = await Promise.all(
      Array.from({ length: 40 }, () =>
        new Promise<string>((resolve, reject) => {
          const req = request({ host, port, path: '/', agent: false }, (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
          });
          req.on('error', reject).end();
        }),
      ),
    );
    expect(bodies.every((b) => b === 'ok')).toBe(true);
    // node:http's allowHalfOpen (node:net sets it at accept time from the accepting server).
    expect(sockets.length).toBe(40);
    expect(sockets.every((s) => s.allowHalfOpen)).toBe(true);
  });

  it('stopListening refuses new connections at once and waits for requests on connections any socket accepted', async () => {
    const held: ((body: string) => void)[] = [];
    const server = createServer((_req, res) => held.push((body) => res.end(body)));
    servers.push(server);
    const sockets: Socket[] = [];
    server.on('connection', (s: Socket) => sockets.push(s));
    const port = await listenWithAcceptors(server, { port: 0, host }, 8);
    const n = 16;
    const answers = Array.from({ length: n }, () =>
      new Promise<string>((resolve, reject) => {
        // agent: false — one connection per request, closed after its answer.
        request({ host, port, path: '/', agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
        }).on('error', reject).end();
      }),
    );
    await until(() => held.length === n);
    // node:net's _server is the socket that accepted the connection (node:http sets .server to itself): some of
    // these came through the extra ones.
    expect(sockets.filter((s) => (s as Socket & { _server?: unknown })._server !== server).length).toBeGreaterThan(0);
    let stopped = false;
    const stopping = stopListening(server).then(() => (stopped = true));
    const refused = await new Promise<string>((resolve) => {
      const c = connect(port, host);
      clients.push(c);
      c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')).on('connect', () => resolve('connected'));
    });
    expect(refused).toBe('ECONNREFUSED');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false); // requests in flight
    for (const answer of held) answer('done');
    expect(await Promise.all(answers)).toEqual(Array.from({ length: n }, () => 'done'));
    await stopping;
    expect(stopped).toBe(true);
  });

  it('shares about 64 sockets per port out over the workers', () => {
    expect(acceptorsPerWorker(1)).toBe(64);
    expect(acceptorsPerWorker(2)).toBe(32);
    expect(acceptorsPerWorker(3)).toBe(22);
    expect(acceptorsPerWorker(64)).toBe(1);
    expect(acceptorsPerWorker(128)).toBe(1);
  });
});
