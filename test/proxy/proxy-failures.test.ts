// Upstream failures through a real gateway: dead pods, hanging connects, silent pods, broken responses, and
// clients that leave. Each answer must be the catalogue's status, never a crash or a hang.
import { request } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EndpointSlice } from '../../src/model/index.ts';
import { ProxyMetrics } from '../../src/proxy/metrics/proxy-metrics.ts';
import { RequestObserver } from '../../src/proxy/metrics/request-observer.ts';
import { startBlackhole, type Blackhole } from './helpers/blackhole.ts';
import { echoed, send, startGateway, type Gateway } from './helpers/gateway.ts';
import { backend, slice } from './helpers/objects.ts';
import { echo, killAll, startPod, type Pod, type PodHandler } from './helpers/pods.ts';
import { forward, testTable } from './helpers/route-table.ts';
import { waitFor } from './helpers/wait.ts';

const web = backend('web');
// proxy-body-size off: these bodies (up to 10 MiB) are about what the pods do with them, not about the limit.
const table = testTable([{ host: 'app.test', path: '/', action: forward(web) }], { proxyBodySize: 0 });
let gw: Gateway | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await gw?.close();
  gw = undefined;
  await Promise.all(cleanups.splice(0).map((fn) => fn()));
});

async function pods(...specs: [string, PodHandler?][]): Promise<Pod[]> {
  const started = await Promise.all(specs.map(([ip, handler]) => startPod(ip, handler)));
  cleanups.push(() => killAll(started));
  return started;
}

function slicesFor(...targets: { ip: string; port: number }[]): EndpointSlice[] {
  return targets.map((t, i) => slice({ service: 'web', name: `web-${i}`, port: t.port, endpoints: [t.ip] }));
}

interface GatewayOptions {
  readonly connectTimeoutMs?: number;
  readonly readTimeoutMs?: number;
  /** Metrics on: the response's 'close' then reaches the exchange through the metrics record. */
  readonly observer?: RequestObserver;
}

async function gateway(targets: { ip: string; port: number }[], options: GatewayOptions = {}) {
  gw = await startGateway({ table, slices: slicesFor(...targets), ...options });
  return gw;
}

describe('dead and unreachable pods', () => {
  it('a killed pod: every GET is retried on the other endpoint and succeeds', async () => {
    const [a, b] = await pods(['127.0.0.2'], ['127.0.0.3']);
    await gateway([a!, b!]);
    await send(gw!.port, '/'); // warm both pools so the kill also exercises dead keep-alive connections
    await send(gw!.port, '/');
    await b!.kill();
    const replies = await Promise.all(Array.from({ length: 10 }, () => send(gw!.port, '/')));
    expect(replies.map((r) => r.status)).toEqual(new Array(10).fill(200));
    expect(replies.every((r) => echoed(r).pod === a!.ip)).toBe(true);
  });

  it('a killed pod: POST with a body is not retried → 502 on the dead one, 200 on the live one', async () => {
    const [a, b] = await pods(['127.0.0.2'], ['127.0.0.3']);
    await gateway([a!, b!]);
    await b!.kill();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(gw!.port, '/', { method: 'POST', body: 'payload' })).status);
    expect(statuses.sort()).toEqual([200, 200, 502, 502]);
    const reply = await send(gw!.port, '/', { method: 'POST', body: 'x' }).then(async (first) =>
      first.status === 502 ? first : send(gw!.port, '/', { method: 'POST', body: 'x' }),
    );
    expect(reply.body).toBe('502 Bad Gateway\n');
  });

  it('all endpoints dead → 502 after trying each once', async () => {
    const [a, b] = await pods(['127.0.0.2'], ['127.0.0.3']);
    await gateway([a!, b!]);
    await Promise.all([a!.kill(), b!.kill()]);
    const reply = await send(gw!.port, '/');
    expect(reply.status).toBe(502);
    expect(reply.body).toBe('502 Bad Gateway\n');
  });

  it('connect timeout → 504 when no other endpoint answers', async () => {
    const hole = await blackhole('127.0.0.6');
    await gateway([hole], { connectTimeoutMs: 300 });
    const started = Date.now();
    const reply = await send(gw!.port, '/');
    expect(reply.status).toBe(504);
    expect(reply.body).toBe('504 Gateway Timeout\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('connect timeout on one endpoint → GET retried on the next', async () => {
    const hole = await blackhole('127.0.0.6');
    const [a] = await pods(['127.0.0.2']);
    await gateway([hole, a!], { connectTimeoutMs: 300 });
    const replies = [await send(gw!.port, '/'), await send(gw!.port, '/')];
    expect(replies.map((r) => echoed(r).pod)).toEqual([a!.ip, a!.ip]);
  });

  it('connect timeout on a WebSocket handshake → 504 (the tunnel connects for itself, without undici)', async () => {
    const hole = await blackhole('127.0.0.6');
    await gateway([hole], { connectTimeoutMs: 300 });
    const status = await new Promise<number | 'pending'>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${gw!.port}/`, { headers: { host: 'app.test' } });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('a blackhole cannot accept a WebSocket')));
      ws.once('error', () => undefined);
      setTimeout(() => resolve('pending'), 3000);
    });
    expect(status).toBe(504);
  });

  it('a pod that resets the connection on every request → 502', async () => {
    const [rst] = await pods(['127.0.0.7', (req) => req.socket.destroy()]);
    await gateway([rst!]);
    expect((await send(gw!.port, '/')).status).toBe(502);
    expect((await send(gw!.port, '/', { method: 'POST', body: 'x' })).status).toBe(502);
  });

  it('a kept-alive connection closed under a request: a GET is tried again on a new connection to the one pod', async () => {
    // The pod drops each connection when its second request arrives, without answering: a request crossing the
    // pod's keep-alive timeout. nginx retries on a new connection (not counted as a try), so one pod is enough.
    const requestsOn = new Map<object, number>();
    const [pod] = await pods(['127.0.0.9', (req, res, self) => {
      const n = (requestsOn.get(req.socket) ?? 0) + 1;
      requestsOn.set(req.socket, n);
      if (n === 2) req.socket.destroy();
      else echo(req, res, self);
    }]);
    await gateway([pod!]);
    for (let i = 0; i < 3; i++) {
      const reply = await send(gw!.port, `/get-${i}`);
      expect(reply.status).toBe(200);
      expect(echoed(reply).url).toBe(`/get-${i}`);
    }
    // GET 0 on connection 1; GET 1 on it again (dropped), then on connection 2; GET 2 reuses connection 2 (dropped)
    // and goes on connection 3.
    expect(pod!.seen.map((r) => r.url)).toEqual(['/get-0', '/get-1', '/get-1', '/get-2', '/get-2']);
    expect(requestsOn.size).toBe(3);
    // A POST with a body is not sent twice (nginx's non_idempotent rule): the pod may have acted on it.
    expect((await send(gw!.port, '/post', { method: 'POST', body: 'x' })).status).toBe(502);
  });

  it('a pod that answers something that is not HTTP → 502', async () => {
    const garbage = await tcpServer('127.0.0.8', (socket) => socket.end('SSH-2.0-OpenSSH\r\n\r\n'));
    await gateway([garbage]);
    expect((await send(gw!.port, '/')).status).toBe(502);
  });
});

describe('read timeouts', () => {
  it('no response headers within readTimeoutMs → 504 (GET and POST)', async () => {
    const [silent] = await pods(['127.0.0.7', (req) => req.resume()]);
    await gateway([silent!], { readTimeoutMs: 300 });
    const started = Date.now();
    expect((await send(gw!.port, '/')).status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await send(gw!.port, '/', { method: 'POST', body: 'x' })).status).toBe(504);
    expect(silent!.seen).toHaveLength(2); // read timeouts are not retried
  });

  it('a pod that stalls mid-body: the client connection is cut, no second status line', async () => {
    const [stall] = await pods([
      '127.0.0.7',
      (_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('only part of it');
      },
    ]);
    await gateway([stall!], { readTimeoutMs: 300 });
    const outcome = await new Promise<{ status: number; body: string; aborted: boolean }>((resolve) => {
      const req = request({ host: '127.0.0.1', port: gw!.port, path: '/', headers: { host: 'app.test' }, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('aborted', () => resolve({ status: res.statusCode ?? 0, body, aborted: true }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, body, aborted: true }));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, aborted: false }));
      });
      req.on('error', () => resolve({ status: 0, body: '', aborted: true }));
      req.end();
    });
    expect(outcome).toEqual({ status: 200, body: 'only part of it', aborted: true });
  });
});

describe('read timeouts restart on progress, and do not run while the client holds the pod back', () => {
  const readTimeoutMs = 300;
  // Each case lasts well past the read timeout (≈ 3×), so a timer that is not restarted fires.

  /** Writes `byte` ten times, 100 ms apart, then ends: 900 ms of a stream that is never silent for 300 ms. */
  function trickle(out: { write(data: string): unknown; end(): unknown }, byte: string): void {
    let sent = 0;
    const timer = setInterval(() => {
      out.write(byte);
      if (++sent === 10) {
        clearInterval(timer);
        out.end();
      }
    }, 100);
  }

  it('a pod that trickles its body (a chunk every 100 ms for 900 ms) is relayed whole', async () => {
    const [slow] = await pods([
      '127.0.0.7',
      (_req, res) => {
        res.writeHead(200, { 'content-length': '10' });
        trickle(res, 'x');
      },
    ]);
    await gateway([slow!], { readTimeoutMs });
    const reply = await send(gw!.port, '/');
    expect(reply).toMatchObject({ status: 200, body: 'xxxxxxxxxx' });
  });

  it('a slow upload (a chunk every 100 ms for 900 ms) reaches the pod, whose answer comes after the last chunk', async () => {
    const [sink] = await pods([
      '127.0.0.7',
      (req, res) => {
        let length = 0;
        req.on('data', (chunk: Buffer) => (length += chunk.length));
        req.on('end', () => res.end(`got ${length}`));
      },
    ]);
    await gateway([sink!], { readTimeoutMs });
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: gw!.port, method: 'POST', path: '/', headers: { host: 'app.test' }, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      trickle(req, 'y');
    });
    expect(reply).toEqual({ status: 200, body: 'got 10' });
  });

  it('a client that reads nothing for 3× the read timeout still gets the whole large body (the pod was paused, not silent)', async () => {
    const size = 16 * 1024 * 1024; // far more than the socket buffers hold: the pod is paused until the client reads
    const [big] = await pods(['127.0.0.7', (_req, res) => res.end(Buffer.alloc(size, 'z'))]);
    await gateway([big!], { readTimeoutMs });
    const received = await new Promise<{ status: number; bytes: number; aborted: boolean }>((resolve) => {
      const req = request({ host: '127.0.0.1', port: gw!.port, path: '/', headers: { host: 'app.test' }, agent: false }, (res) => {
        let bytes = 0;
        res.pause();
        setTimeout(() => {
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.resume();
        }, 3 * readTimeoutMs);
        res.on('aborted', () => resolve({ status: res.statusCode ?? 0, bytes, aborted: true }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, bytes, aborted: true }));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, aborted: false }));
      });
      req.on('error', () => resolve({ status: 0, bytes: 0, aborted: true }));
      req.end();
    });
    expect(received).toEqual({ status: 200, bytes: size, aborted: false });
  });
});

describe('early answers', () => {
  it('a pod answering before reading the body (413) leaves the client connection usable', async () => {
    const [early] = await pods([
      '127.0.0.7',
      (req, res) => {
        if (req.method === 'POST') res.writeHead(413).end('too large');
        else res.end('next');
      },
    ]);
    await gateway([early!]);
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = await new Promise<number>((resolve, reject) => {
      const headers = { host: 'app.test', 'content-length': String(8 * 1024 * 1024) };
      const req = request({ host: '127.0.0.1', port: gw!.port, path: '/', method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(Buffer.alloc(8 * 1024 * 1024));
    });
    const next = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port: gw!.port, path: '/', agent, headers: { host: 'app.test' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += String(chunk)));
        res.on('end', () => resolve(body));
      })
        .on('error', reject)
        .end();
    });
    agent.destroy();
    expect([post, next]).toEqual([413, 'next']);
  });
});

// With metrics off the exchange listens for the response's 'close' itself; with metrics on it is told by the
// metrics record, whose listener is the response's only one.
describe.each([
  ['metrics off', () => undefined],
  ['metrics on', () => new RequestObserver(new ProxyMetrics(), null)],
])('clients that leave (%s)', (_name, observer: () => RequestObserver | undefined) => {
  it('client aborting mid-download aborts the upstream request', async () => {
    let upstreamClosed = false;
    let upstreamFinished = false;
    const [stream] = await pods([
      '127.0.0.9',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(16 * 1024);
        const timer = setInterval(() => res.write(chunk), 5);
        res.on('close', () => {
          clearInterval(timer);
          upstreamClosed = true;
          upstreamFinished = res.writableFinished;
        });
      },
    ]);
    await gateway([stream!], { observer: observer() });
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port: gw!.port, path: '/', headers: { host: 'app.test' }, agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end();
    });
    await waitFor(() => upstreamClosed);
    expect(upstreamFinished).toBe(false);
  });

  it('client aborting mid-upload aborts the upstream request', async () => {
    let upstreamClosed = false;
    let received = 0;
    const [sink] = await pods([
      '127.0.0.9',
      (req, res) => {
        req.on('data', (chunk: Buffer) => (received += chunk.length));
        req.on('close', () => (upstreamClosed = true));
        req.on('end', () => res.end('complete'));
      },
    ]);
    await gateway([sink!], { observer: observer() });
    const req = request({
      host: '127.0.0.1',
      port: gw!.port,
      path: '/',
      method: 'POST',
      headers: { host: 'app.test', 'content-length': String(10 * 1024 * 1024) },
      agent: false,
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(64 * 1024));
    await waitFor(() => received > 0);
    req.destroy();
    await waitFor(() => upstreamClosed);
    expect(received).toBeLessThan(10 * 1024 * 1024);
  });
});

async function blackhole(ip: string): Promise<Blackhole> {
  const hole = await startBlackhole(ip);
  cleanups.push(() => hole.close());
  return hole;
}

async function tcpServer(ip: string, onConnection: (socket: import('node:net').Socket) => void): Promise<{ ip: string; port: number }> {
  const server: TcpServer = createTcpServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => onConnection(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, ip, resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { ip, port: (server.address() as AddressInfo).port };
}
