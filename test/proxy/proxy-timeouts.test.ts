// proxy-send-timeout and proxy-read-timeout through a real gateway and real pods: while the request is written
// the gap between two writes the pod takes is the send timeout's (nginx proxy_send_timeout), once it is all
// written the gap between two reads is the read timeout's (proxy_read_timeout).
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type Gateway, type GatewayOptions } from './helpers/gateway.ts';
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

/** proxy-body-size off: the uploads here are far larger than every socket buffer on the way, on purpose. */
async function gateway(target: Pod, options: Omit<GatewayOptions, 'table' | 'slices'>): Promise<Gateway> {
  const table = testTable([{ host: 'app.test', path: '/', action: forward(web) }], { proxyBodySize: 0 });
  gw = await startGateway({ table, slices: [slice({ service: 'web', port: target.port, endpoints: [target.ip] })], ...options });
  return gw;
}

/** Larger than the socket buffers between client and pod (loopback auto-tunes each to a few MiB). */
const bigUpload = 64 * 1024 * 1024;

/**
 * A chunked POST written with back-pressure until `total` bytes or the answer, whichever comes first (a client
 * keeps sending while the gateway refuses it, as curl does). Resolves with the status and how long it took.
 */
function upload(port: number, total: number): Promise<{ status: number; body: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { host: 'app.test' } }, (res) => {
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
