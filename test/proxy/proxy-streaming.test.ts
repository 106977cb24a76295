// 100 MB each way through the gateway, with the gateway, the pod and the client in this one process.
// Two measures, both sampled during the transfer:
// - bytes in flight (sent by one end, not yet received by the other): everything the gateway holds lies in
//   between. Streaming keeps this at socket buffers + highWaterMarks (≈ 6–12 MB measured); buffering a body
//   would put ~100 MB there. Bound: 32 MB.
// - live memory after a forced GC (heap + ArrayBuffer backing stores, where body bytes live). Plain RSS is
//   useless in-process: a direct client→pod upload with no proxy at all grows RSS by ~75 MB of garbage before
//   V8's external-memory GC kicks in. Bound: 64 MB growth, far below the 100 MB a buffered body would pin.
import { request, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from './helpers/gateway.ts';
import { backend, slice } from './helpers/objects.ts';
import { startPod, type Pod } from './helpers/pods.ts';
import { forward, testTable } from './helpers/route-table.ts';
import { waitFor } from './helpers/wait.ts';
import { zeros } from '../support/streams.ts';

const MiB = 1024 * 1024;
const total = 100 * MiB;
const liveBoundMiB = 64;
const inFlightBoundMiB = 32;
let pod: Pod;
let gw: Gateway;
/** Bytes the pod has handed to its socket for the current download. */
let podWritten = 0;
/** Bytes the pod has received of the current upload. */
let podReceived = 0;

// A real full GC on demand, so "live" means live (the flag can be set at run time; gc is then a global of
// any new context).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;


beforeAll(async () => {
  pod = await startPod('127.0.0.2', (req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
      podWritten = 0;
      const written = { bytes: 0 };
      const source = counted(written);
      source.on('data', () => (podWritten = written.bytes));
      void pipeline(source, res).catch(() => res.destroy());
      return;
    }
    // A pod slower than the client (it stops for 20 ms after every 4 MB): without back-pressure the gateway
    // would have to hold the difference.
    podReceived = 0;
    req.on('data', (chunk: Buffer) => {
      const before = podReceived;
      podReceived += chunk.length;
      if (Math.floor(before / (4 * MiB)) === Math.floor(podReceived / (4 * MiB))) return;
      req.pause();
      setTimeout(() => req.resume(), 20);
    });
    req.on('end', () => res.end(String(podReceived)));
  });
  gw = await startGateway({
    // proxy-body-size off (0): 100 MB bodies are the point here.
    table: testTable([{ host: 'app.test', path: '/', action: forward(backend('web')) }], { proxyBodySize: 0 }),
    slices: [slice({ service: 'web', port: pod.port, endpoints: [pod.ip] })],
  });
});

afterAll(async () => {
  await gw.close();
  await pod.kill();
});

function liveBytes(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

interface Peaks {
  liveGrowthMiB: number;
  inFlightMiB: number;
}

/** Samples every 25 ms while `work` runs: peak live-memory growth and peak bytes in flight, in MiB. */
async function measure(inFlight: () => number, work: () => Promise<void>): Promise<Peaks> {
  const baseline = liveBytes();
  const peaks = { liveGrowthMiB: 0, inFlightMiB: 0 };
  const sample = (): void => {
    peaks.liveGrowthMiB = Math.max(peaks.liveGrowthMiB, (liveBytes() - baseline) / MiB);
    peaks.inFlightMiB = Math.max(peaks.inFlightMiB, inFlight() / MiB);
  };
  const timer = setInterval(sample, 25);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return peaks;
}

/** A 100 MB source that counts what it has produced. */
function counted(counter: { bytes: number }): Readable {
  const source = zeros(total);
  source.on('data', (chunk: Buffer) => (counter.bytes += chunk.length));
  return source;
}

function open(method: string, headers: Record<string, string | number> = {}) {
  return request({ host: '127.0.0.1', port: gw.port, path: '/bulk', method, headers: { host: 'app.test', ...headers }, agent: false });
}

describe('streaming', () => {
  it('a 100 MB upload streams through with bounded memory', async () => {
    let answer = '';
    const sent = { bytes: 0 };
    const peaks = await measure(
      () => sent.bytes - podReceived,
      async () => {
        const req = open('POST', { 'content-length': total });
        const response = new Promise<IncomingMessage>((resolve, reject) => req.on('response', resolve).on('error', reject));
        await pipeline(counted(sent), req);
        const res = await response;
        for await (const chunk of res) answer += String(chunk);
        expect(res.statusCode).toBe(200);
      },
    );
    expect(answer).toBe(String(total));
    expect(peaks.inFlightMiB).toBeLessThan(inFlightBoundMiB);
    expect(peaks.liveGrowthMiB).toBeLessThan(liveBoundMiB);
  });

  it('a chunked 100 MB upload (no Content-Length) streams through', async () => {
    let answer = '';
    const req = open('POST', { 'transfer-encoding': 'chunked' });
    const response = new Promise<IncomingMessage>((resolve, reject) => req.on('response', resolve).on('error', reject));
    await pipeline(zeros(total), req);
    for await (const chunk of await response) answer += String(chunk);
    expect(answer).toBe(String(total));
  });

  it('a 100 MB download streams through with bounded memory', async () => {
    let received = 0;
    const peaks = await measure(
      () => podWritten - received,
      async () => {
        const req = open('GET');
        req.end();
        const res = await new Promise<IncomingMessage>((resolve, reject) => req.on('response', resolve).on('error', reject));
        expect(res.headers['content-length']).toBe(String(total));
        // A client slower than the pod, the mirror image of the upload case.
        for await (const chunk of res) {
          const before = received;
          received += (chunk as Buffer).length;
          if (Math.floor(before / (4 * MiB)) !== Math.floor(received / (4 * MiB))) await delay(20);
        }
      },
    );
    expect(received).toBe(total);
    expect(peaks.inFlightMiB).toBeLessThan(inFlightBoundMiB);
    expect(peaks.liveGrowthMiB).toBeLessThan(liveBoundMiB);
  });

  it('a client that stops reading stops the pod (back-pressure reaches the upstream)', async () => {
    const req = open('GET');
    req.end();
    const res = await new Promise<IncomingMessage>((resolve, reject) => req.on('response', resolve).on('error', reject));
    res.pause();
    // Let every buffer between pod and client fill, then check the pod is stuck far short of 100 MB.
    let last = -1;
    await waitFor(async () => {
      const now = podWritten;
      const settled = now === last && now > 0;
      last = now;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return settled;
    }, 10_000);
    expect(podWritten).toBeLessThan(32 * MiB);
    let received = 0;
    res.on('data', (chunk: Buffer) => (received += chunk.length));
    res.resume();
    await new Promise((resolve) => res.on('end', resolve));
    expect(received).toBe(total);
  });
});
