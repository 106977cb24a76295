// Routing and balancing through a real gateway to real upstream pods on 127.0.0.2/127.0.0.3/127.0.0.4.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, send, echoed, type Gateway } from './helpers/gateway.ts';
import { backend, slice } from './helpers/objects.ts';
import { killAll, startPod, type Pod } from './helpers/pods.ts';
import { forward, testTable, unavailable } from './helpers/route-table.ts';
import { waitFor } from './helpers/wait.ts';

let a: Pod;
let b: Pod;
let api: Pod;
let gw: Gateway;

const web = backend('web');
const apiBackend = backend('api');
const table = testTable([
  { host: 'app.test', path: '/', action: forward(web) },
  { host: 'down.test', path: '/', action: unavailable() },
  { host: 'empty.test', path: '/', action: forward(backend('empty')) },
]);

function webSlices(...pods: Pod[]) {
  return pods.map((pod, i) => slice({ service: 'web', name: `web-${i}`, port: pod.port, endpoints: [pod.ip] }));
}

function apiSlice() {
  return slice({ service: 'api', name: 'api-0', port: api.port, endpoints: [api.ip] });
}

beforeAll(async () => {
  [a, b, api] = await Promise.all([startPod('127.0.0.2'), startPod('127.0.0.3'), startPod('127.0.0.4')]);
});

afterEach(async () => {
  await gw?.close();
  for (const pod of [a, b, api]) pod.seen.length = 0;
});

afterAll(async () => {
  await killAll([a, b, api]);
});

async function start(): Promise<Gateway> {
  gw = await startGateway({ table, slices: [...webSlices(a, b), apiSlice()] });
  return gw;
}

describe('routing and balancing', () => {
  it('round robin hits both pods evenly', async () => {
    await start();
    const pods: string[] = [];
    for (let i = 0; i < 20; i++) pods.push(echoed(await send(gw.port, '/')).pod);
    expect(a.seen).toHaveLength(10);
    expect(b.seen).toHaveLength(10);
    // Strict alternation, not just equal totals.
    for (let i = 2; i < pods.length; i++) expect(pods[i]).toBe(pods[i - 2]);
    expect(pods[0]).not.toBe(pods[1]);
  });

  it('stays even under concurrency', async () => {
    await start();
    await Promise.all(Array.from({ length: 40 }, () => send(gw.port, '/').then(echoed)));
    expect([a.seen.length, b.seen.length]).toEqual([20, 20]);
  });

  it('forwards the original request target, not the normalised path', async () => {
    await start();
    const target = '/x/./y/../%7Ez//q?a=%2F&b=../c';
    expect(echoed(await send(gw.port, target)).url).toBe(target);
  });

  it('a table swap routes the next request anew', async () => {
    await start();
    expect(echoed(await send(gw.port, '/')).pod).not.toBe(api.ip);
    gw.slot.swap(testTable([{ host: 'app.test', path: '/', action: forward(apiBackend) }]));
    expect(echoed(await send(gw.port, '/')).pod).toBe(api.ip);
    expect(echoed(await send(gw.port, '/')).pod).toBe(api.ip);
  });

  it('a request in flight keeps the route it started with across a swap', async () => {
    await start();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = await startPod('127.0.0.5', (req, res) => void gate.then(() => res.end(`slow ${req.url}`)));
    gw.store.update([...webSlices(a, b), apiSlice(), slice({ service: 'slow', port: slow.port, endpoints: [slow.ip] })]);
    gw.slot.swap(testTable([{ host: 'app.test', path: '/', action: forward(backend('slow')) }]));
    const inFlight = send(gw.port, '/first');
    await waitFor(() => slow.seen.length === 1);
    gw.slot.swap(testTable([]));
    release();
    expect((await inFlight).body).toBe('slow /first');
    expect((await send(gw.port, '/second')).status).toBe(404);
    await slow.kill();
  });

  it('an endpoint removed gets no more traffic and no request fails', async () => {
    await start();
    const replies = [];
    for (let i = 0; i < 10; i++) replies.push(await send(gw.port, '/'));
    gw.store.update([...webSlices(a), apiSlice()]);
    const seenByB = b.seen.length;
    for (let i = 0; i < 10; i++) replies.push(await send(gw.port, '/'));
    expect(replies.map((r) => r.status)).toEqual(new Array(20).fill(200));
    expect(b.seen.length).toBe(seenByB);
    expect(a.seen.length).toBe(20 - seenByB);
  });

  it('closes the upstream pool of a removed endpoint (no idle connections left to it)', async () => {
    await start();
    for (let i = 0; i < 4; i++) await send(gw.port, '/');
    expect(await connections(b)).toBeGreaterThan(0);
    gw.store.update([...webSlices(a), apiSlice()]);
    await waitFor(async () => (await connections(b)) === 0);
    expect(await connections(a)).toBeGreaterThan(0);
  });

  it('endpoint churn under concurrent load: no failed request', async () => {
    await start();
    let stop = false;
    const results: number[] = [];
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!stop) results.push((await send(gw.port, '/')).status);
      }),
    );
    for (let i = 0; i < 20; i++) {
      gw.store.update(i % 2 === 0 ? [...webSlices(a), apiSlice()] : [...webSlices(a, b), apiSlice()]);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    stop = true;
    await load;
    expect(results.length).toBeGreaterThan(20);
    expect(results.filter((s) => s !== 200)).toEqual([]);
  });
});

describe('connections', () => {
  it('reuses upstream connections (keep-alive pool per endpoint)', async () => {
    await start();
    let opened = 0;
    const count = (): void => void opened++;
    a.server.on('connection', count);
    b.server.on('connection', count);
    try {
      for (let i = 0; i < 20; i++) await send(gw.port, '/');
    } finally {
      a.server.off('connection', count);
      b.server.off('connection', count);
    }
    expect(a.seen.length + b.seen.length).toBe(20);
    expect(opened).toBeLessThanOrEqual(2);
  });

  it('HEAD is answered without a body', async () => {
    await start();
    const reply = await send(gw.port, '/', { method: 'HEAD' });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('');
    expect(a.seen.length + b.seen.length).toBe(1);
  });

  it('drain() lets a request in flight finish, then resolves without waiting out the grace period', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = await startPod('127.0.0.5', (req, res) => void gate.then(() => res.end(`slow ${req.url}`)));
    gw = await startGateway({
      table: testTable([{ host: 'app.test', action: forward(backend('slow')) }]),
      slices: [slice({ service: 'slow', port: slow.port, endpoints: [slow.ip] })],
    });
    const { Agent, request } = await import('node:http');
    const agent = new Agent({ keepAlive: true });
    const reply = new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port: gw.port, path: '/in-flight', headers: { host: 'app.test' }, agent }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += String(chunk)));
        res.on('end', () => resolve(body));
      })
        .on('error', reject)
        .end();
    });
    await waitFor(() => slow.seen.length === 1);
    const started = Date.now();
    const drained = gw.proxy.drain(10_000);
    await expect(send(gw.port, '/')).rejects.toThrow(); // no longer accepting
    release();
    expect(await reply).toBe('slow /in-flight');
    await drained;
    expect(Date.now() - started).toBeLessThan(5_000);
    agent.destroy();
    await slow.kill();
  });
});

describe('answers without an upstream', () => {
  it.each([
    ['unknown host → 404', 'nowhere.test', '/', 404, '404 Not Found\n'],
    ['unavailable route → 503', 'down.test', '/', 503, '503 Service Temporarily Unavailable\n'],
    ['no endpoints → 503', 'empty.test', '/', 503, '503 Service Temporarily Unavailable\n'],
    ['path escaping the root → 400', 'app.test', '/..', 400, '400 Bad Request\n'],
    ['encoded escape → 400', 'app.test', '/a/%2e%2e/%2e%2e/etc', 400, '400 Bad Request\n'],
  ])('%s', async (_name, host, path, status, body) => {
    await start();
    const reply = await send(gw.port, path, { host });
    expect(reply.status).toBe(status);
    expect(reply.body).toBe(body);
    expect(reply.headers.server).toBe('sluice');
    expect(a.seen.length + b.seen.length).toBe(0);
  });

  it('duplicate Host → 400', async () => {
    await start();
    const reply = await send(gw.port, '/', { headers: ['Host', 'other.test'] });
    expect(reply.status).toBe(400);
  });

  it('keeps the client connection usable after an error answer', async () => {
    await start();
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const { request } = await import('node:http');
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port: gw.port, path: '/', headers: { host }, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
          .on('error', reject)
          .end();
      });
    expect([await get('nowhere.test'), await get('app.test'), await get('down.test'), await get('app.test')]).toEqual([404, 200, 503, 200]);
    agent.destroy();
  });
});

async function connections(pod: Pod): Promise<number> {
  return new Promise((resolve, reject) => pod.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}
