// proxy-send-timeout and proxy-read-timeout through a real gateway and real pods: while the request is written
// the gap between two writes the pod takes is the send timeout's (nginx proxy_send_timeout), once it is all
// written the gap between two reads is the read timeout's (proxy_read_timeout).
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { RouteFeatures } from '../../src/model/index.ts';
import { send, startGateway, type Gateway, type GatewayOptions } from './helpers/gateway.ts';
import { backend, slice } from './helpers/objects.ts';
import { killAll, startPod, type Pod, type PodHandler } from './helpers/pods.ts';
import { forward, testTable } from './helpers/route-table.ts';

const web = backend('web');
let gw: Gateway | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await gw?.close();
  gw = undefined;
  await Promise.all(cleanups.splice(0).map((fn) => fn()));
});

async function pod(handler: PodHandler, ip = '127.0.0.2'): Promise<Pod> {
  const started = await startPod(ip, handler);
  cleanups.push(() => killAll([started]));
  return started;
}

/**
 * Three routes to the same pod: app.test has no annotation (the table's settings apply), short.test and long.test
 * carry proxy-read/send-timeout annotations of 300 ms and 5 s / 60 s (as compile writes them into RouteFeatures).
 * proxy-body-size off: the uploads here are far larger than every socket buffer on the way, on purpose.
 */
const routes: { host: string; features?: Partial<RouteFeatures> }[] = [
  { host: 'app.test' },
  { host: 'short.test', features: { proxyReadTimeoutMs: 300, proxySendTimeoutMs: 300 } },
  { host: 'long.test', features: { proxyReadTimeoutMs: 5_000, proxySendTimeoutMs: 60_000 } },
];

async function gateway(target: { ip: string; port: number }, options: Omit<GatewayOptions, 'table' | 'slices'>): Promise<Gateway> {
  const table = testTable(routes.map((r) => ({ ...r, path: '/', action: forward(web) })), { proxyBodySize: 0 });
  gw = await startGateway({ table, slices: [slice({ service: 'web', port: target.port, endpoints: [target.ip] })], ...options });
  return gw;
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
    await gateway(p, { sendTimeoutMs: 300, readTimeoutMs: 20_000 });
    const reply = await upload(gw!.port, bigUpload);
    expect([reply.status, reply.body]).toEqual([504, '504 Gateway Timeout\n']);
    expect(reply.ms).toBeGreaterThanOrEqual(250);
    expect(reply.ms).toBeLessThan(10_000);
  });

  it('a pod that stops reading for longer than the read timeout but not the send timeout gets the whole body', async () => {
    const p = await pod(pausingReader(1000));
    await gateway(p, { sendTimeoutMs: 60_000, readTimeoutMs: 300 });
    const reply = await upload(gw!.port, bigUpload);
    expect([reply.status, reply.body]).toEqual([200, String(bigUpload)]);
    expect(reply.ms).toBeGreaterThanOrEqual(1000);
  });

  it('a slow upload (a chunk every 100 ms for 900 ms) restarts the send timeout at each write', async () => {
    const p = await pod((req, res) => {
      let length = 0;
      req.on('data', (chunk: Buffer) => (length += chunk.length));
      req.on('end', () => res.end(`got ${length}`));
    });
    await gateway(p, { sendTimeoutMs: 300, readTimeoutMs: 60_000 });
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: gw!.port, method: 'POST', path: '/', agent: false, headers: { host: 'app.test' } }, (res) => {
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
    await gateway(p, { sendTimeoutMs: 300, readTimeoutMs: 20_000 });
    const started = Date.now();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: gw!.port, method: 'POST', path: '/', agent: false, headers: { host: 'app.test' } }, (res) => {
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
    await gateway(p, { sendTimeoutMs: 300, readTimeoutMs: 60_000 });
    const reply = await upload(gw!.port, 1024 * 1024);
    expect([reply.status, reply.body]).toEqual([200, 'late']);
  });
});

/** A pod that answers every request `delayMs` after it arrived. */
const answersAfter = (delayMs: number): PodHandler => (req, res) => {
  req.resume();
  setTimeout(() => res.end('late'), delayMs);
};

async function timed(host: string, promise: Promise<{ status: number }>): Promise<[string, number, number]> {
  const started = Date.now();
  const { status } = await promise;
  return [host, status, Date.now() - started];
}

describe('per-Ingress proxy-read-timeout (the route\'s annotation, else the table\'s setting)', () => {
  it('shorter than the global one: 504 on the annotated route while another route on the same pod still waits', async () => {
    const p = await pod(answersAfter(1000));
    await gateway(p, { readTimeoutMs: 20_000 });
    const [short, plain] = await Promise.all([
      timed('short.test', send(gw!.port, '/', { host: 'short.test' })),
      timed('app.test', send(gw!.port, '/', { host: 'app.test' })),
    ]);
    expect(short.slice(0, 2)).toEqual(['short.test', 504]);
    expect(short[2]).toBeLessThan(1000);
    expect(plain.slice(0, 2)).toEqual(['app.test', 200]);
  });

  it('longer than the global one: the annotated route gets a slow answer the others time out on', async () => {
    const p = await pod(answersAfter(1000));
    await gateway(p, { readTimeoutMs: 300 });
    const [long, plain] = await Promise.all([
      timed('long.test', send(gw!.port, '/', { host: 'long.test' })),
      timed('app.test', send(gw!.port, '/', { host: 'app.test' })),
    ]);
    expect(long.slice(0, 2)).toEqual(['long.test', 200]);
    expect(plain.slice(0, 2)).toEqual(['app.test', 504]);
    expect(plain[2]).toBeLessThan(1000);
  });
});

describe('per-Ingress proxy-send-timeout', () => {
  it('shorter than the global one: a pod that stops reading the upload → 504 on the annotated route', async () => {
    const p = await pod(pausingReader(Number.POSITIVE_INFINITY));
    await gateway(p, { sendTimeoutMs: 20_000, readTimeoutMs: 20_000 });
    const reply = await upload(gw!.port, bigUpload, 'short.test');
    expect(reply.status).toBe(504);
    expect(reply.ms).toBeLessThan(10_000);
  });

  it('longer than the global one: a pod pausing its reads for 1 s gets the whole body on the annotated route only', async () => {
    const p = await pod(pausingReader(1000));
    await gateway(p, { sendTimeoutMs: 300 });
    const [long, plain] = await Promise.all([upload(gw!.port, bigUpload, 'long.test'), upload(gw!.port, bigUpload, 'app.test')]);
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
  function idle(host: string, idleMs: number): Promise<{ outcome: 'echoed' | 'closed'; ms: number }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${gw!.port}/`, { headers: { host } });
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
    await gateway(await wsPod(), { readTimeoutMs: 300 });
    const [long, plain] = await Promise.all([idle('long.test', 1000), idle('app.test', 1000)]);
    expect(long.outcome).toBe('echoed');
    expect(plain.outcome).toBe('closed');
    expect(plain.ms).toBeLessThan(1000);
  });

  it('a shorter annotation closes an idle WebSocket the global read timeout would keep', async () => {
    await gateway(await wsPod(), { readTimeoutMs: 20_000 });
    const [short, plain] = await Promise.all([idle('short.test', 1000), idle('app.test', 1000)]);
    expect(short.outcome).toBe('closed');
    expect(short.ms).toBeGreaterThanOrEqual(250);
    expect(short.ms).toBeLessThan(1000);
    expect(plain.outcome).toBe('echoed');
  });
});
