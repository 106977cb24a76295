// proxy-send-timeout and proxy-read-timeout through a real gateway and real pods: while the request is written
// the gap between two writes the pod takes is the send timeout's (nginx proxy_send_timeout), once it is all
// written the gap between two reads is the read timeout's (proxy_read_timeout). Then the per-Ingress values of all
// three timeouts (RouteFeatures, as compile writes them from the annotations) against the table's settings.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { defaultGlobalSettings, type Route, type RouteFeatures } from '../../src/model/index.ts';
import { upstreamEndpoint } from '../../src/proxy/index.ts';
import { ownConnectTimeoutOf } from '../../src/proxy/route-timeouts.ts';
import { UpstreamPools } from '../../src/proxy/upstream/upstream-pools.ts';
import { getThrough } from './helpers/pool-get.ts';
import { startBlackhole } from './helpers/blackhole.ts';
import { echoed, send, startGateway, type Gateway, type GatewayOptions } from './helpers/gateway.ts';
import { backend, slice } from './helpers/objects.ts';
import type { PodHandler } from './helpers/pods.ts';
import { forward, noFeatures, testTable } from './helpers/route-table.ts';
import { TestScope } from './helpers/scope.ts';

const web = backend('web');
const scope = new TestScope();
const { cleanups } = scope;
const pod = (handler: PodHandler, ip?: string) => scope.pod(handler, ip);

/**
 * Three routes to the same pods: app.test has no annotation (the table's settings apply), short.test and long.test
 * carry proxy-connect/read/send-timeout annotations of 300 ms and 5 s / 5 s / 60 s.
 * proxy-body-size off: the uploads here are far larger than every socket buffer on the way, on purpose.
 */
const routes: { host: string; features?: Partial<RouteFeatures> }[] = [
  { host: 'app.test' },
  { host: 'short.test', features: { proxyConnectTimeoutMs: 300, proxyReadTimeoutMs: 300, proxySendTimeoutMs: 300 } },
  { host: 'long.test', features: { proxyConnectTimeoutMs: 5_000, proxyReadTimeoutMs: 5_000, proxySendTimeoutMs: 60_000 } },
];

type Target = { readonly ip: string; readonly port: number };

async function gateway(targets: Target | Target[], options: Omit<GatewayOptions, 'table' | 'slices'>): Promise<Gateway> {
  const table = testTable(routes.map((r) => ({ ...r, path: '/', action: forward(web) })), { proxyBodySize: 0 });
  const slices = [targets].flat().map((t, i) => slice({ service: 'web', name: `web-${i}`, port: t.port, endpoints: [t.ip] }));
  scope.gateway = await startGateway({ table, slices, ...options });
  return scope.gateway;
}

/** Larger than the socket buffers between client and pod (loopback auto-tunes each to a few MiB). */
const bigUpload = 64 * 1024 * 1024;

/**
 * A chunked POST written with back-pressure until `total` bytes or the answer, whichever comes first (a client
 * keeps sending while the gateway refuses it, as curl does). Resolves with the status and how long it took.
 */
function upload(port: number, total: number, host = 'app.test'): Promise<{ status: number; body: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { host } }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body, ms: Date.now() - started });
        req.destroy();
      });
    });
    req.on('error', (error) => (answered ? undefined : reject(error)));
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 'u');
    const write = (): void => {
      while (sent < total && !answered) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      if (!answered) req.end();
    };
    write();
  });
}

/** Reads the first chunk, then nothing for `pauseMs` (Infinity: never again), then the rest, and answers its length. */
function pausingReader(pauseMs: number): PodHandler {
  return (req, res) => {
    let length = 0;
    req.on('data', (chunk: Buffer) => (length += chunk.length));
    req.once('data', () => {
      req.pause();
      if (pauseMs !== Number.POSITIVE_INFINITY) setTimeout(() => req.resume(), pauseMs);
    });
    req.on('end', () => res.end(String(length)));
  };
}

describe('proxy-send-timeout: the gap between two writes of the request the pod takes', () => {
  it('a pod that stops reading a streamed upload → 504 after the send timeout, though the read timeout is long', async () => {
    const p = await pod(pausingReader(Number.POSITIVE_INFINITY));
    const { port } = await gateway(p, { sendTimeoutMs: 300, readTimeoutMs: 20_000 });
    const reply = await upload(port, bigUpload);
    expect([reply.status, reply.body]).toEqual([504, '504 Gateway Timeout\n']);
    expect(reply.ms).toBeGreaterThanOrEqual(250);
    expect(reply.ms).toBeLessThan(10_000);
  });

  it('a pod that stops reading for longer than the read timeout but not the send timeout gets the whole body', async () => {
    const p = await pod(pausingReader(1000));
    const { port } = await gateway(p, { sendTimeoutMs: 60_000, readTimeoutMs: 300 });
    const reply = await upload(port, bigUpload);
    expect([reply.status, reply.body]).toEqual([200, String(bigUpload)]);
    expect(reply.ms).toBeGreaterThanOrEqual(1000);
  });

  it('a slow upload (a chunk every 100 ms for 900 ms) restarts the send timeout at each write', async () => {
    const p = await pod((req, res) => {
      let length = 0;
      req.on('data', (chunk: Buffer) => (length += chunk.length));
      req.on('end', () => res.end(`got ${length}`));
    });
    const { port } = await gateway(p, { sendTimeoutMs: 300, readTimeoutMs: 60_000 });
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: port, method: 'POST', path: '/', agent: false, headers: { host: 'app.test' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      let sent = 0;
      const timer = setInterval(() => {
        req.write('y');
        if (++sent === 10) {
          clearInterval(timer);
          req.end();
        }
      }, 100);
    });
    expect(reply).toEqual({ status: 200, body: 'got 10' });
  });

  it('a client that stalls mid-upload → 504 after the send timeout (the body is streamed, not buffered first)', async () => {
    const p = await pod((req, res) => {
      req.resume();
      req.on('end', () => res.end('complete'));
    });
    const { port } = await gateway(p, { sendTimeoutMs: 300, readTimeoutMs: 20_000 });
    const started = Date.now();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: port, method: 'POST', path: '/', agent: false, headers: { host: 'app.test' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write('the first part, and then nothing');
    });
    expect(status).toBe(504);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('once the whole request is taken, the read timeout applies: a pod silent for longer than the send timeout answers', async () => {
    const p = await pod((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end('late'), 1000));
    });
    const { port } = await gateway(p, { sendTimeoutMs: 300, readTimeoutMs: 60_000 });
    const reply = await upload(port, 1024 * 1024);
    expect([reply.status, reply.body]).toEqual([200, 'late']);
  });
});

/** A pod that answers every request `delayMs` after it arrived. */
const answersAfter = (delayMs: number): PodHandler => (req, res) => {
  req.resume();
  setTimeout(() => res.end('late'), delayMs);
};

async function timed(promise: Promise<{ status: number }>): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const { status } = await promise;
  return { status, ms: Date.now() - started };
}

describe('per-Ingress proxy-read-timeout (the route\'s annotation, else the table\'s setting)', () => {
  // A pod answering after 1 s, the same pod behind both routes; the route with the shorter timeout gets its 504
  // before the answer comes, while the other gets the answer.
  it.each([
    ['shorter than the global one: 504 on the annotated route while another route on the same pod still waits', 20_000, 'short.test', [504, 200]],
    ['longer than the global one: the annotated route gets a slow answer the others time out on', 300, 'long.test', [200, 504]],
  ] as const)('%s', async (_name, readTimeoutMs, annotated, statuses) => {
    const { port } = await gateway(await pod(answersAfter(1000)), { readTimeoutMs });
    const replies = await Promise.all([timed(send(port, '/', { host: annotated })), timed(send(port, '/', { host: 'app.test' }))]);
    expect(replies.map((r) => r.status)).toEqual(statuses);
    expect(replies.find((r) => r.status === 504)!.ms).toBeLessThan(1000);
  });
});

describe('per-Ingress proxy-send-timeout', () => {
  it('shorter than the global one: a pod that stops reading the upload → 504 on the annotated route', async () => {
    const p = await pod(pausingReader(Number.POSITIVE_INFINITY));
    const { port } = await gateway(p, { sendTimeoutMs: 20_000, readTimeoutMs: 20_000 });
    const reply = await upload(port, bigUpload, 'short.test');
    expect(reply.status).toBe(504);
    expect(reply.ms).toBeLessThan(10_000);
  });

  it('longer than the global one: a pod pausing its reads for 1 s gets the whole body on the annotated route only', async () => {
    const p = await pod(pausingReader(1000));
    const { port } = await gateway(p, { sendTimeoutMs: 300 });
    const [long, plain] = await Promise.all([upload(port, bigUpload, 'long.test'), upload(port, bigUpload, 'app.test')]);
    expect([long.status, long.body]).toEqual([200, String(bigUpload)]);
    expect(plain.status).toBe(504);
  });
});

describe('per-Ingress proxy-read-timeout bounds idle WebSockets', () => {
  /** An echo WebSocket pod on 127.0.0.2 (closed after the test). */
  async function wsPod(): Promise<{ ip: string; port: number }> {
    const server = createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data) => ws.send(data))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    cleanups.push(async () => {
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { ip: '127.0.0.2', port: (server.address() as AddressInfo).port };
  }

  /**
   * Opens a WebSocket through the gateway, stays silent for `idleMs`, then sends one message: 'echoed' when it
   * comes back, 'closed' when the tunnel was closed first (with how long after opening).
   */
  function idle(port: number, host: string, idleMs: number): Promise<{ outcome: 'echoed' | 'closed'; ms: number }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { host } });
      let opened = 0;
      ws.once('error', reject);
      ws.once('open', () => {
        opened = Date.now();
        setTimeout(() => ws.readyState === WebSocket.OPEN && ws.send('still here'), idleMs);
      });
      ws.once('message', () => {
        resolve({ outcome: 'echoed', ms: Date.now() - opened });
        ws.close();
      });
      ws.once('close', () => resolve({ outcome: 'closed', ms: Date.now() - opened }));
    });
  }

  it('a longer annotation keeps an idle WebSocket open past the global read timeout, which closes the others', async () => {
    const { port } = await gateway(await wsPod(), { readTimeoutMs: 300 });
    const [long, plain] = await Promise.all([idle(port, 'long.test', 1000), idle(port, 'app.test', 1000)]);
    expect(long.outcome).toBe('echoed');
    expect(plain.outcome).toBe('closed');
    expect(plain.ms).toBeLessThan(1000);
  });

  it('a shorter annotation closes an idle WebSocket the global read timeout would keep', async () => {
    const { port } = await gateway(await wsPod(), { readTimeoutMs: 20_000 });
    const [short, plain] = await Promise.all([idle(port, 'short.test', 1000), idle(port, 'app.test', 1000)]);
    expect(short.outcome).toBe('closed');
    expect(short.ms).toBeGreaterThanOrEqual(250);
    expect(short.ms).toBeLessThan(1000);
    expect(plain.outcome).toBe('echoed');
  });
});

describe('per-Ingress proxy-connect-timeout (pools of their own per value; tunnels connect with it directly)', () => {
  /** A pod address whose connects hang (helpers/blackhole.ts). */
  async function blackhole(ip = '127.0.0.6'): Promise<Target> {
    const hole = await startBlackhole(ip);
    cleanups.push(() => hole.close());
    return hole;
  }

  /** The answer's status, or 'pending' if none came within `ms` (the request is left to the gateway's close). */
  function statusWithin(ms: number, request: Promise<{ status: number }>): Promise<number | 'pending'> {
    const pending = new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms));
    return Promise.race([request.then((reply) => reply.status, () => 0), pending]);
  }

  it('shorter than the global one: 504 on the annotated route while the others still wait for the connect', async () => {
    const { port } = await gateway(await blackhole(), { connectTimeoutMs: 20_000 });
    const [short, plain] = await Promise.all([
      statusWithin(3000, send(port, '/', { host: 'short.test' })),
      statusWithin(3000, send(port, '/', { host: 'app.test' })),
    ]);
    expect([short, plain]).toEqual([504, 'pending']);
  });

  it('longer than the global one: the others get their 504 while the annotated route still waits', async () => {
    const { port } = await gateway(await blackhole(), { connectTimeoutMs: 300 });
    const [long, plain] = await Promise.all([
      statusWithin(3000, send(port, '/', { host: 'long.test' })),
      statusWithin(3000, send(port, '/', { host: 'app.test' })),
    ]);
    expect([long, plain]).toEqual(['pending', 504]);
  });

  it('a GET whose connect times out by the route\'s value is retried on the next endpoint', async () => {
    const hole = await blackhole();
    const live = await pod((req, res) => res.end(JSON.stringify({ pod: '127.0.0.3', method: req.method, url: req.url, rawHeaders: [] })), '127.0.0.3');
    const { port } = await gateway([hole, live], { connectTimeoutMs: 20_000 });
    const started = Date.now();
    // Round robin sends one of the two to the blackhole first: only the route's 300 ms makes both quick.
    const replies = [await send(port, '/', { host: 'short.test' }), await send(port, '/', { host: 'short.test' })];
    expect(replies.map((r) => echoed(r).pod)).toEqual(['127.0.0.3', '127.0.0.3']);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('pools: one set per value, the shared one without a value of its own; all closed with their endpoint', async () => {
    const hole = await blackhole();
    const pools = new UpstreamPools({ connectTimeoutMs: () => 30_000, logger: pino({ level: 'silent' }) });
    cleanups.push(() => pools.closeAll(true));
    const endpoint = upstreamEndpoint(hole.ip, hole.port);
    const shared = pools.get(endpoint);
    const own = pools.get(endpoint, 300);
    expect([pools.get(endpoint, null), pools.get(endpoint, 300), pools.size]).toEqual([shared, own, 2]);
    expect(own).not.toBe(shared);
    const started = Date.now();
    await expect(getThrough(own)).rejects.toMatchObject({ code: 'SLUICE_CONNECT_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5000); // the shared pools would wait 30 s
    pools.retain(new Set());
    expect(pools.size).toBe(0);
    expect(pools.get(endpoint, 300)).not.toBe(own);
  });

  it.each([
    [undefined, null],
    [{ proxyConnectTimeoutMs: 300 }, 300],
    [{ proxyConnectTimeoutMs: defaultGlobalSettings.proxyConnectTimeoutMs }, null], // the global value: shared pools
    [{ proxyReadTimeoutMs: 300 }, null],
  ] as const)('a route with features %j uses the pools of %j', (features, expected) => {
    const route: Route = { id: 'r', host: 'a.test', path: '/', pathType: 'Prefix', action: { kind: 'not-found', status: 404 } };
    const withFeatures = features === undefined ? route : { ...route, features: { ...noFeatures, ...features } };
    expect(ownConnectTimeoutOf(withFeatures, defaultGlobalSettings)).toBe(expected);
  });

  it('WebSocket handshakes connect with the route\'s value', async () => {
    // 5 s, not 20: the gateway's close waits for a handshake still connecting (it is no tunnel yet).
    const { port } = await gateway(await blackhole(), { connectTimeoutMs: 5_000 });
    const handshake = (host: string): Promise<{ status: number }> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { host } });
        ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
        ws.once('open', () => reject(new Error('a blackhole cannot accept a WebSocket')));
        ws.once('error', () => undefined);
      });
    const [short, plain] = await Promise.all([statusWithin(2500, handshake('short.test')), statusWithin(2500, handshake('app.test'))]);
    expect([short, plain]).toEqual([504, 'pending']);
  });
});
