// The global settings a routing table carries (ConfigMap over flags), through a real proxy and real pods:
// proxy-body-size (413 by Content-Length before any pod is contacted, and by counting a streamed body), its
// per-Ingress override, and a settings swap applying to the next request — timeouts included — with no restart.
import { request } from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { GlobalSettings, RouteTable } from '../../src/model/index.ts';
import { upstreamEndpoint } from '../../src/proxy/index.ts';
import { UpstreamPools } from '../../src/proxy/upstream/upstream-pools.ts';
import { getThrough } from './helpers/pool-get.ts';
import { startBlackhole, type Blackhole } from './helpers/blackhole.ts';
import { send, startGateway, type Gateway } from './helpers/gateway.ts';
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

/** A pod that reads the whole body and answers with its length. */
const counting: PodHandler = (req, res) => {
  let length = 0;
  req.on('data', (chunk: Buffer) => (length += chunk.length));
  req.on('end', () => res.end(String(length)));
};

async function pod(handler: PodHandler = counting, ip = '127.0.0.2'): Promise<Pod> {
  const started = await startPod(ip, handler);
  cleanups.push(() => killAll([started]));
  return started;
}

function table(settings: Partial<GlobalSettings>, uploadsBodySize: number | null = null): RouteTable {
  return testTable([
    { host: 'app.test', path: '/', action: forward(web) },
    ...(uploadsBodySize === null ? [] : [{ host: 'uploads.test', path: '/', action: forward(web), features: { proxyBodySize: uploadsBodySize } }]),
  ], settings);
}

async function gateway(target: { ip: string; port: number }, settings: Partial<GlobalSettings>, uploadsBodySize: number | null = null) {
  gw = await startGateway({ table: table(settings, uploadsBodySize), slices: [slice({ service: 'web', port: target.port, endpoints: [target.ip] })] });
  return gw;
}

/**
 * A POST of `total` bytes in 16 KiB writes with back-pressure, chunked or with its Content-Length declared.
 * A connection error before the answer (a reset instead of the 413) fails it.
 */
function upload(port: number, total: number, declared = false, host = 'app.test'): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const framing = declared ? { 'content-length': String(total) } : { 'transfer-encoding': 'chunked' };
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { host, ...framing } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    req.on('error', reject);
    let sent = 0;
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const write = (): void => {
      while (sent < total) {
        const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

/**
 * A POST with `Expect: 100-continue` that sends its body only once invited (as curl does for large uploads);
 * `invited`: whether a 100 Continue came before the final answer.
 */
function uploadAfterContinue(port: number, total: number): Promise<{ status: number; invited: boolean; body: string }> {
  return new Promise((resolve, reject) => {
    let invited = false;
    const headers = { host: 'app.test', expect: '100-continue', 'content-length': String(total) };
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, invited, body }));
    });
    req.on('continue', () => {
      invited = true;
      req.end(Buffer.alloc(total, 'x'));
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

describe('Expect: 100-continue', () => {
  it('over the size limit: 413 without inviting the body; within it: 100 Continue, then the body reaches the pod', async () => {
    const p = await pod();
    await gateway(p, { proxyBodySize: 1000 });
    const refused = await uploadAfterContinue(gw!.port, 5000);
    expect([refused.status, refused.invited]).toEqual([413, false]);
    expect(p.seen).toHaveLength(0);
    const accepted = await uploadAfterContinue(gw!.port, 1000);
    expect(accepted).toEqual({ status: 200, invited: true, body: '1000' });
  });
});

describe('proxy-body-size (nginx client_max_body_size)', () => {
  it('a declared Content-Length over the limit → 413 with Connection: close, and the pod is never contacted', async () => {
    const p = await pod();
    await gateway(p, { proxyBodySize: 1000 });
    const reply = await send(gw!.port, '/', { method: 'POST', body: Buffer.alloc(1001) });
    expect(reply.status).toBe(413);
    expect(reply.body).toBe('413 Request Entity Too Large\n');
    expect(reply.headers.connection).toBe('close');
    expect(p.seen).toHaveLength(0);
    // Exactly the limit passes, as nginx compares `limit < length`.
    const atLimit = await send(gw!.port, '/', { method: 'POST', body: Buffer.alloc(1000) });
    expect([atLimit.status, atLimit.body]).toEqual([200, '1000']);
  });

  it('a chunked body is counted as it streams: over the limit → 413 and the upstream request is aborted', async () => {
    let podGot = 0;
    let podAborted = false;
    const p = await pod((req, res) => {
      req.on('data', (chunk: Buffer) => (podGot += chunk.length));
      req.on('aborted', () => (podAborted = true));
      req.on('error', () => (podAborted = true));
      req.on('end', () => res.end(String(podGot)));
    });
    await gateway(p, { proxyBodySize: 64 * 1024 });
    const reply = await upload(gw!.port, 1024 * 1024);
    expect(reply.status).toBe(413);
    expect(reply.connection).toBe('close');
    expect(podGot).toBeLessThanOrEqual(64 * 1024);
    await expect.poll(() => podAborted).toBe(true);
    // Under the limit, the same kind of upload goes through.
    expect((await upload(gw!.port, 60 * 1024)).status).toBe(200);
  });

  it('a client still sending a large body gets its 413 (32 MiB, declared and streamed)', async () => {
    // The reset a client gets without nginx's lingering close (lingering-close.ts) shows across processes, not on
    // one event loop: test/e2e/configmap.test.ts has that case.
    const p = await pod();
    await gateway(p, { proxyBodySize: 1024 });
    expect(await upload(gw!.port, 32 * 1024 * 1024, true)).toEqual({ status: 413, connection: 'close' });
    expect(await upload(gw!.port, 32 * 1024 * 1024, false)).toEqual({ status: 413, connection: 'close' });
  });

  it('0 turns the limit off; the Ingress annotation overrides the global size either way', async () => {
    const p = await pod();
    await gateway(p, { proxyBodySize: 0 }, 1000);
    const big = Buffer.alloc(2 * 1024 * 1024);
    expect((await send(gw!.port, '/', { method: 'POST', body: big })).body).toBe(String(big.length));
    expect((await send(gw!.port, '/', { method: 'POST', body: big, host: 'uploads.test' })).status).toBe(413);
    await gw!.close();
    await gateway(p, { proxyBodySize: 1000 }, 0);
    expect((await send(gw!.port, '/', { method: 'POST', body: big })).status).toBe(413);
    expect((await send(gw!.port, '/', { method: 'POST', body: big, host: 'uploads.test' })).body).toBe(String(big.length));
  });

  it('a bodiless request is never refused, whatever the limit', async () => {
    const p = await pod();
    await gateway(p, { proxyBodySize: 1 });
    expect((await send(gw!.port, '/')).status).toBe(200);
  });
});

describe('settings follow the table: a swap applies to the next request, without a restart', () => {
  it('proxy-body-size', async () => {
    const p = await pod();
    await gateway(p, { proxyBodySize: 1000 });
    const body = Buffer.alloc(5000);
    expect((await send(gw!.port, '/', { method: 'POST', body })).status).toBe(413);
    gw!.slot.swap(table({ proxyBodySize: 8000 }));
    expect((await send(gw!.port, '/', { method: 'POST', body })).status).toBe(200);
  });

  it('proxy-read-timeout (per request: undici headersTimeout/bodyTimeout of the request\'s table)', async () => {
    const silent = await pod((req) => req.resume());
    await gateway(silent, { proxyReadTimeoutMs: 60_000 });
    gw!.slot.swap(table({ proxyReadTimeoutMs: 300 }));
    const started = Date.now();
    expect((await send(gw!.port, '/')).status).toBe(504);
    // Well under the 60 s the pool was created with.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('proxy-connect-timeout (the current table\'s, read when a connection is opened)', async () => {
    const hole: Blackhole = await startBlackhole('127.0.0.6');
    cleanups.push(() => hole.close());
    await gateway(hole, { proxyConnectTimeoutMs: 30_000 });
    gw!.slot.swap(table({ proxyConnectTimeoutMs: 300 }));
    const started = Date.now();
    expect((await send(gw!.port, '/')).status).toBe(504);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('proxy-connect-timeout: a pool created under the old value opens its next connection with the new one', async () => {
    const hole: Blackhole = await startBlackhole('127.0.0.6');
    cleanups.push(() => hole.close());
    let connectTimeoutMs = 30_000;
    const pools = new UpstreamPools({ connectTimeoutMs: () => connectTimeoutMs, logger: pino({ level: 'silent' }) });
    cleanups.push(() => pools.closeAll(true));
    const pool = pools.get(upstreamEndpoint(hole.ip, hole.port)); // built while the setting said 30 s
    connectTimeoutMs = 300;
    const started = Date.now();
    await expect(getThrough(pool)).rejects.toMatchObject({ code: 'SLUICE_CONNECT_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(pools.get(upstreamEndpoint(hole.ip, hole.port))).toBe(pool); // the same pool: nothing was replaced
  });
});
