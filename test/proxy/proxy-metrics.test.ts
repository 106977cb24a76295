// Data-plane metrics (ProxyMetrics fed by the RequestObserver) through a real proxy on real sockets: request and
// response bytes to the byte, upstream latency bucket placement against pods that delay known times, the
// connection gauges while a request is held, a WebSocket counted once (101, its bytes each way), refused upgrades.
import type { ServerResponse } from 'node:http';
import { connect as connectTcp, type AddressInfo, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createProxyServer } from '../../src/proxy/index.ts';
import { ProxyMetrics } from '../../src/proxy/metrics/proxy-metrics.ts';
import { RequestObserver } from '../../src/proxy/metrics/request-observer.ts';
import { h2request, openSession } from '../support/http2-client.ts';
import { buckets, sample } from '../support/metrics-text.ts';
import { makeCertificate } from '../tls/certificates.ts';
import { startGateway, type Gateway } from './helpers/gateway.ts';
import { backend, slice } from './helpers/objects.ts';
import { echo, killAll, startPod, type Pod } from './helpers/pods.ts';
import { forward, normalizeHost, normalizeRequestPath, testTable } from './helpers/route-table.ts';
import { waitFor } from './helpers/wait.ts';

let metrics: ProxyMetrics;
let observer: RequestObserver;
let gw: Gateway;
let pods: Pod[];
let wss: WebSocketServer;
const held: ServerResponse[] = [];

/** Header after 300 ms, last body byte 900 ms later: header in (0.25, 0.5], response in (1, 2.5]. */
const headerDelayMs = 300;
const bodyDelayMs = 900;

beforeAll(async () => {
  const web = await startPod('127.0.0.2', echo);
  const slow = await startPod('127.0.0.3', (_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.flushHeaders();
      setTimeout(() => res.end('done'), bodyDelayMs);
    }, headerDelayMs);
  });
  const hold = await startPod('127.0.0.4', (_req, res) => void held.push(res));
  // WebSocket pod: upgrades on /chat (echo), any other upgrade answered 403.
  const chat = await startPod('127.0.0.5');
  wss = new WebSocketServer({ noServer: true });
  chat.server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/chat') return void socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
  });
  pods = [web, slow, hold, chat];
  metrics = new ProxyMetrics();
  observer = new RequestObserver(metrics, null);
  gw = await startGateway({
    table: testTable([
      { host: 'web.test', path: '/', action: forward(backend('web')) },
      { host: 'slow.test', path: '/', action: forward(backend('slow')) },
      { host: 'hold.test', path: '/', action: forward(backend('hold')) },
      { host: 'chat.test', path: '/', action: forward(backend('chat')) },
      { host: 'empty.test', path: '/', action: forward(backend('empty')) },
    ]),
    slices: [
      slice({ service: 'web', port: web.port, endpoints: [web.ip] }),
      slice({ service: 'slow', port: slow.port, endpoints: [slow.ip] }),
      slice({ service: 'hold', port: hold.port, endpoints: [hold.ip] }),
      slice({ service: 'chat', port: chat.port, endpoints: [chat.ip] }),
    ],
    observer,
  });
});

afterAll(async () => {
  for (const res of held) res.end();
  await gw?.close();
  wss?.close();
  await killAll(pods ?? []);
});

const scrape = (): Promise<string> => metrics.registry.metrics();

/** Requests counted so far under these labels (0 when the cell does not exist yet). */
async function counted(labels: Record<string, string>): Promise<number> {
  return sample(await scrape(), 'nginx_ingress_controller_requests', labels) ?? 0;
}

function tcp(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(gw.port, '127.0.0.1', () => resolve(socket)).once('error', reject);
  });
}

/** Writes `raw` on a fresh connection and resolves with every byte received until the proxy closes it. */
async function exchange(raw: string): Promise<Buffer> {
  const socket = await tcp();
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(raw);
  await closed;
  return Buffer.concat(chunks);
}

describe('bytes in and out', () => {
  it('request_size and response_size count exactly the bytes on the wire (Content-Length body)', async () => {
    const body = 'x'.repeat(1500);
    const raw = `POST /upload?q=1 HTTP/1.1\r\nHost: web.test\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    const received = await exchange(raw);
    expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const labels = { host: 'web.test', method: 'POST', status: '200' };
    await waitFor(async () => (await counted(labels)) === 1);
    const text = await scrape();
    expect(sample(text, 'nginx_ingress_controller_request_size_sum', labels)).toBe(Buffer.byteLength(raw));
    expect(sample(text, 'nginx_ingress_controller_response_size_sum', labels)).toBe(received.length);
    expect(sample(text, 'nginx_ingress_controller_request_size_count', labels)).toBe(1);
    // ingress-nginx's length buckets end at 100 bytes: a real request is in +Inf only.
    expect(buckets(text, 'nginx_ingress_controller_request_size', labels)).toMatchObject({ '100': 0, '+Inf': 1 });
  });

  it('a chunked request body counts as its header plus the body bytes streamed', async () => {
    const header = 'PUT /chunks HTTP/1.1\r\nHost: web.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
    const received = await exchange(`${header}5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`);
    const labels = { host: 'web.test', method: 'PUT', status: '200' };
    await waitFor(async () => (await counted(labels)) === 1);
    const text = await scrape();
    expect(sample(text, 'nginx_ingress_controller_request_size_sum', labels)).toBe(header.length + 'hello world'.length);
    expect(sample(text, 'nginx_ingress_controller_response_size_sum', labels)).toBe(received.length);
  });
});

describe('upstream latency', () => {
  it('places connect, header, response and request durations in the buckets the pod delays imply', async () => {
    const received = await exchange('GET / HTTP/1.1\r\nHost: slow.test\r\nConnection: close\r\n\r\n');
    expect(received.toString('latin1')).toMatch(/\r\ndone\r\n/);
    const labels = { host: 'slow.test', method: 'GET', status: '200' };
    await waitFor(async () => (await counted(labels)) === 1);
    const text = await scrape();
    const header = buckets(text, 'nginx_ingress_controller_header_duration_seconds', labels);
    expect([header['0.25'], header['0.5'], header['+Inf']]).toEqual([0, 1, 1]);
    const response = buckets(text, 'nginx_ingress_controller_response_duration_seconds', labels);
    expect([response['1'], response['2.5'], response['+Inf']]).toEqual([0, 1, 1]);
    const request = buckets(text, 'nginx_ingress_controller_request_duration_seconds', labels);
    expect([request['1'], request['2.5']]).toEqual([0, 1]);
    // A new upstream connection on loopback: connected long before the pod's first delay ends.
    const connect = buckets(text, 'nginx_ingress_controller_connect_duration_seconds', labels);
    expect([connect['0.25'], connect['+Inf']]).toEqual([1, 1]);
    const upstreamSum = sample(text, 'nginx_ingress_controller_response_duration_seconds_sum', labels)!;
    expect(upstreamSum).toBeGreaterThanOrEqual((headerDelayMs + bodyDelayMs) / 1000);
    expect(sample(text, 'nginx_ingress_controller_request_duration_seconds_sum', labels)).toBeGreaterThanOrEqual(upstreamSum);
  });

  it('requests no pod answered observe no upstream histogram', async () => {
    const received = await exchange('GET / HTTP/1.1\r\nHost: empty.test\r\nConnection: close\r\n\r\n');
    expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 503 /);
    const labels = { host: 'empty.test', method: 'GET', status: '503' };
    await waitFor(async () => (await counted(labels)) === 1);
    const text = await scrape();
    expect(sample(text, 'nginx_ingress_controller_request_duration_seconds_count', labels)).toBe(1);
    expect(sample(text, 'nginx_ingress_controller_response_duration_seconds_count', labels)).toBeUndefined();
    expect(sample(text, 'nginx_ingress_controller_connect_duration_seconds_count', labels)).toBeUndefined();
  });
});

describe('connections', () => {
  it('active / writing / waiting while a request is held open, and back to zero', async () => {
    await waitFor(() => metrics.connections.active === 0);
    const acceptedBefore = sample(await scrape(), 'nginx_ingress_controller_nginx_process_connections_total', { state: 'accepted' })!;
    // An idle keep-alive connection (one answered request), one that has sent nothing, one with a request held.
    const idle = await tcp();
    const answered = new Promise<void>((resolve) => idle.once('data', () => resolve()));
    idle.write('GET /ka HTTP/1.1\r\nHost: web.test\r\n\r\n');
    await answered;
    await waitFor(async () => (await counted({ host: 'web.test', method: 'GET', status: '200' })) === 1);
    const silent = await tcp();
    const busy = await tcp();
    busy.write('GET /held HTTP/1.1\r\nHost: hold.test\r\n\r\n');
    await waitFor(() => held.length === 1);
    const during = await scrape();
    const state = (text: string, s: string): number | undefined => sample(text, 'nginx_ingress_controller_nginx_process_connections', { state: s });
    expect([state(during, 'active'), state(during, 'writing'), state(during, 'waiting')]).toEqual([3, 1, 2]);
    expect(sample(during, 'nginx_ingress_controller_nginx_process_connections_total', { state: 'accepted' })).toBe(acceptedBefore + 3);
    expect(sample(during, 'nginx_ingress_controller_nginx_process_connections_total', { state: 'handled' })).toBe(acceptedBefore + 3);

    const released = new Promise<void>((resolve) => busy.once('data', () => resolve()));
    held.shift()!.end('released');
    await released;
    await waitFor(() => metrics.connections.requests === 0);
    const after = await scrape();
    expect([state(after, 'active'), state(after, 'writing'), state(after, 'waiting')]).toEqual([3, 0, 3]);
    for (const socket of [idle, silent, busy]) socket.destroy();
    await waitFor(() => metrics.connections.active === 0);
    const closed = await scrape();
    expect([state(closed, 'active'), state(closed, 'writing'), state(closed, 'waiting')]).toEqual([0, 0, 0]);
  });
});

describe('connections on the HTTPS listener', () => {
  it('an HTTP/2 connection is active only, its open streams writing; an idle HTTP/1.1-over-TLS one is waiting', async () => {
    const cert = await makeCertificate(['hold.test', 'web.test']);
    const secure = createProxyServer({
      tableSlot: gw.slot,
      endpoints: gw.store,
      normalizeHost,
      normalizeRequestPath,
      logger: pino({ level: 'silent' }),
      observer,
      tls: { serverOptions: { key: cert.key, cert: cert.cert }, hasOwnCertificate: () => false },
    });
    await new Promise<void>((resolve) => secure.server.listen(0, '127.0.0.1', resolve));
    const port = (secure.server.address() as AddressInfo).port;
    try {
      await waitFor(() => metrics.connections.active === 0);
      const session = await openSession(port, 'hold.test', [cert.cert]);
      const heldReply = h2request(session, { ':path': '/h2', ':authority': 'hold.test' });
      await waitFor(() => held.length === 1);
      const tls1 = connectTls({ port, host: '127.0.0.1', servername: 'web.test', ca: [cert.cert], ALPNProtocols: ['http/1.1'] });
      const answered = new Promise<void>((resolve) => tls1.once('data', () => resolve()));
      tls1.write('GET /tls HTTP/1.1\r\nHost: web.test\r\n\r\n');
      await answered;
      await waitFor(() => metrics.connections.requests === 1);
      const state = (text: string, s: string): number | undefined => sample(text, 'nginx_ingress_controller_nginx_process_connections', { state: s });
      const during = await scrape();
      expect([state(during, 'active'), state(during, 'writing'), state(during, 'waiting')]).toEqual([2, 1, 1]);
      held.shift()!.end('released');
      expect((await heldReply).status).toBe(200);
      session.close();
      tls1.destroy();
      await waitFor(() => metrics.connections.active === 0);
      const after = await scrape();
      expect([state(after, 'active'), state(after, 'writing'), state(after, 'waiting')]).toEqual([0, 0, 0]);
    } finally {
      await secure.close();
    }
  });
});

describe('upgrades', () => {
  it('a WebSocket is counted once when it closes: status 101, its bytes each way, the tunnel gauge meanwhile', async () => {
    let clientSocket: Socket | undefined;
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/chat`, {
      headers: { host: 'chat.test' },
      // Our own socket, so its byte counters are the client side of the wire.
      createConnection: () => (clientSocket = connectTcp(gw.port, '127.0.0.1')),
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const replies: Buffer[] = [];
    ws.on('message', (data: Buffer) => replies.push(data));
    ws.send('hello');
    ws.send(Buffer.alloc(2000, 7));
    await waitFor(() => replies.length === 2);
    const open = await scrape();
    expect(sample(open, 'sluice_upgrade_tunnels')).toBe(1);
    expect(sample(open, 'nginx_ingress_controller_nginx_process_connections', { state: 'writing' })).toBe(1);
    const labels = { host: 'chat.test', method: 'GET', status: '101' };
    expect(await counted(labels)).toBe(0); // counted when it ends, as nginx logs it

    const closed = new Promise<void>((resolve) => clientSocket!.once('close', () => resolve()));
    ws.close();
    await closed;
    await waitFor(async () => (await counted(labels)) === 1);
    const text = await scrape();
    expect(sample(text, 'nginx_ingress_controller_request_size_sum', labels)).toBe(clientSocket!.bytesWritten);
    expect(sample(text, 'nginx_ingress_controller_response_size_sum', labels)).toBe(clientSocket!.bytesRead);
    expect(sample(text, 'nginx_ingress_controller_response_duration_seconds_count', labels)).toBe(1);
    expect(sample(text, 'nginx_ingress_controller_header_duration_seconds_count', labels)).toBe(1);
    expect(sample(text, 'sluice_upgrade_tunnels')).toBe(0);
    expect(metrics.connections.requests).toBe(0);
  });

  it('refused upgrades are counted with the status the client got: the pod\'s 403, no endpoints 503', async () => {
    const refused = (host: string, path: string): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${gw.port}${path}`, { headers: { host } });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('error', () => undefined);
      });
    expect(await refused('chat.test', '/elsewhere')).toBe(403);
    expect(await refused('empty.test', '/chat')).toBe(503);
    await waitFor(async () => (await counted({ host: 'chat.test', status: '403' })) === 1);
    await waitFor(async () => (await counted({ host: 'empty.test', status: '503', method: 'GET' })) === 2);
    const text = await scrape();
    // The pod answered the 403 (upstream histograms observed); nothing answered the 503.
    expect(sample(text, 'nginx_ingress_controller_header_duration_seconds_count', { host: 'chat.test', status: '403' })).toBe(1);
    expect(sample(text, 'nginx_ingress_controller_header_duration_seconds_count', { host: 'empty.test', status: '503' })).toBeUndefined();
    expect(sample(text, 'sluice_upgrade_tunnels')).toBe(0);
  });
});
