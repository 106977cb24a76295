// --trusted-proxies, GET /metrics and --access-log through the real CLI and real sockets. Client source addresses
// are 127.0.x.y (all loopback), so rate-limit budgets never leak between tests.
import { readFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { connect as connectTcp, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startEchoPod, type EchoPod, type EchoReply } from '../../scripts/echo-pod.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml, writeManifest } from '../support/manifests.ts';
import { sample } from '../support/metrics-text.ts';
import { annotated } from './annotations-fixture.ts';

interface Hit { status: number; body: string }

function hit(base: string, host: string, from: string, headers: Record<string, string> = {}, path = '/'): Promise<Hit> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname: url.hostname, port: url.port, path, agent: false, localAddress: from, headers: { host, ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const echoed = (hit: Hit): EchoReply => JSON.parse(hit.body) as EchoReply;

async function scrape(status: string): Promise<string> {
  const res = await fetch(`${status}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The access-log entry with this request id, once the asynchronous destination has written it. */
async function logEntry(path: string, requestId: string): Promise<Record<string, unknown> | undefined> {
  let entry: Record<string, unknown> | undefined;
  for (let i = 0; i < 50 && entry === undefined; i++) {
    const text = await readFile(path, 'utf8').catch(() => '');
    entry = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e['req_id'] === requestId);
    if (entry === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return entry;
}

/** Writes `raw` on a fresh connection to `base` and resolves with every byte received until the gateway closes it. */
function exchange(base: string, raw: string): Promise<Buffer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connectTcp(Number(url.port), url.hostname, () => socket.write(raw));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk)).once('error', reject).once('close', () => resolve(Buffer.concat(chunks)));
  });
}

let echo: EchoPod;
let chatPod: Server;
let plain: { gateway: GatewayProcess; http: string; status: string };
let trusted: { gateway: GatewayProcess; http: string; status: string };
let accessLogPath: string;

beforeAll(async () => {
  echo = await startEchoPod('web', '127.0.0.2');
  // A WebSocket pod: echoes on /chat, answers any other upgrade 403.
  chatPod = createServer((_req, res) => res.end());
  const wss = new WebSocketServer({ noServer: true });
  chatPod.on('upgrade', (req, socket, head) => {
    if (req.url !== '/chat') return void socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
  });
  await new Promise<void>((resolve) => chatPod.listen(0, '127.0.0.3', resolve));
  const chat = { address: '127.0.0.3', port: (chatPod.address() as AddressInfo).port };
  const dir = await tempManifestDir();
  accessLogPath = join(dir, 'logs', 'access.log');
  await writeManifest(dir, 'objects.yaml', toYaml([
    service('web'), ...endpointSlices('web', [echo]),
    service('chat'), ...endpointSlices('chat', [chat]),
    annotated(ingress('limited', [{ host: 'rl.test', paths: [{ path: '/', service: 'web' }] }], { ingressClassName: 'nginx' }), { 'limit-rps': '1' }),
    ingress('open', [{ host: 'open.test', paths: [{ path: '/api', service: 'web' }] }], { ingressClassName: 'nginx' }),
    ingress('chat', [{ host: 'chat.test', paths: [{ path: '/', service: 'chat' }] }], { ingressClassName: 'nginx' }),
    // A known diagnostic: a backend naming a Service that does not exist (ServiceNotFound, Warning).
    ingress('broken', [{ host: 'broken.test', paths: [{ path: '/', service: 'ghost' }] }], { ingressClassName: 'nginx' }),
  ]));
  [plain, trusted] = await Promise.all([
    startGateway(['--manifests', dir, '--ingress-class', 'nginx', '--access-log', accessLogPath]),
    startGateway(['--manifests', dir, '--ingress-class', 'nginx', '--trusted-proxies', '127.0.0.0/8, ::1', '--no-metrics']),
  ]);
});

afterAll(async () => {
  await Promise.all([plain?.gateway.stop(), trusted?.gateway.stop()]);
  await echo?.close();
  chatPod?.closeAllConnections();
  await new Promise((resolve) => chatPod?.close(resolve));
});

describe('client address (--trusted-proxies)', () => {
  it('untrusted peer (default): a spoofed X-Forwarded-For changes neither the rate-limit key nor X-Real-IP', async () => {
    const hits: Hit[] = [];
    for (let i = 0; i < 7; i++) hits.push(await hit(plain.http, 'rl.test', '127.0.4.1', { 'x-forwarded-for': `10.9.0.${i}`, 'x-forwarded-proto': 'https' }));
    // limit-rps 1, burst 5: six admitted, the seventh refused although every request claimed another client.
    expect(hits.map((h) => h.status)).toEqual([200, 200, 200, 200, 200, 200, 503]);
    const headers = echoed(hits[0]!).headers;
    expect(headers['x-real-ip']).toBe('127.0.4.1');
    expect(headers['x-forwarded-for']).toBe('127.0.4.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-original-forwarded-for']).toBe('10.9.0.0');
  });

  it('trusted peer: X-Forwarded-For (walked from the right past trusted hops) is the key and X-Real-IP', async () => {
    // Seven different clients through the same proxy: each has its own budget, none is refused.
    for (let i = 0; i < 7; i++) {
      const h = await hit(trusted.http, 'rl.test', '127.0.5.1', { 'x-forwarded-for': `10.8.0.${i}, 127.0.0.9` });
      expect(h.status).toBe(200);
      const headers = echoed(h).headers;
      expect(headers['x-real-ip']).toBe(`10.8.0.${i}`);
      // Replaced, not appended (ingress-nginx compute-full-forwarded-for: false).
      expect(headers['x-forwarded-for']).toBe(`10.8.0.${i}`);
    }
    // One client through two different trusted peers shares one budget: the seventh is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await hit(trusted.http, 'rl.test', `127.0.6.${i + 1}`, { 'x-forwarded-for': '10.7.0.1' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 503]);
  });

  it('trusted peer: X-Forwarded-Proto/-Port are honoured; an untrusted address in the chain stops the walk', async () => {
    const h = await hit(trusted.http, 'open.test', '127.0.5.2', { 'x-forwarded-for': '10.6.0.1, 192.0.2.7, 127.0.0.5', 'x-forwarded-proto': 'https', 'x-forwarded-port': '443' }, '/api');
    const headers = echoed(h).headers;
    expect(headers['x-real-ip']).toBe('192.0.2.7');
    expect(headers['x-forwarded-proto']).toBe('https');
    expect(headers['x-forwarded-port']).toBe('443');
  });
});

describe('GET /metrics and --access-log', () => {
  it('counts requests per ingress/host/rule path/service/method/status, and exposes config and endpoint gauges', async () => {
    const before = await scrape(plain.status);
    const labels = { namespace: 'default', ingress: 'open', service: 'web', host: 'open.test', path: '/api', method: 'GET' };
    const base = sample(before, 'nginx_ingress_controller_requests', { ...labels, status: '200' }) ?? 0;
    for (let i = 0; i < 3; i++) expect((await hit(plain.http, 'open.test', '127.0.4.2', {}, `/api/item-${i}?q=${i}`)).status).toBe(200);
    const r = await hit(plain.http, 'open.test', '127.0.4.2', {}, '/elsewhere');
    expect(r.status).toBe(404);
    const text = await scrape(plain.status);
    expect(sample(text, 'nginx_ingress_controller_requests', { ...labels, status: '200' })).toBe(base + 3);
    expect(sample(text, 'nginx_ingress_controller_request_duration_seconds_count', { ...labels, status: '200' })).toBe(base + 3);
    // The request path never becomes a label value.
    expect(text).not.toContain('item-0');
    expect(sample(text, 'nginx_ingress_controller_requests', { status: '404', host: 'open.test' })).toBe(1);
    expect(sample(text, 'sluice_backend_endpoints', { service: 'web' })).toBe(1);
    expect(sample(text, 'nginx_ingress_controller_config_last_reload_successful')).toBe(1);
    expect(sample(text, 'sluice_routing_table_generation')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'sluice_config_failed_compiles_total')).toBe(0);
    expect(sample(text, 'sluice_rate_limit_store_fallbacks_total')).toBe(0);
    // ingress-nginx's const labels, which its dashboards select on (no POD_NAME/POD_NAMESPACE outside a pod).
    expect(text).toContain('nginx_ingress_controller_config_last_reload_successful{controller_class="sluice.dev/ingress-controller",controller_namespace="",controller_pod=""} 1');
    // The rate-limited requests of the first test (6 × 200, 1 × 503) are counted under their own labels.
    expect(sample(text, 'nginx_ingress_controller_requests', { ingress: 'limited', status: '503' })).toBeGreaterThanOrEqual(1);
  });

  it('bytes in/out and upstream latency of a known request, under ingress-nginx\'s names and labels', async () => {
    const body = '{"order":42}';
    const raw = `PUT /api/orders HTTP/1.1\r\nHost: open.test\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    const received = await exchange(plain.http, raw);
    expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const labels = { namespace: 'default', ingress: 'open', service: 'web', host: 'open.test', path: '/api', method: 'PUT', status: '200' };
    let text = await scrape(plain.status);
    // The gateway counts when the response's 'close' event fires, which can follow the client's last byte.
    for (let i = 0; i < 50 && sample(text, 'nginx_ingress_controller_requests', labels) === undefined; i++) text = await scrape(plain.status);
    expect(sample(text, 'nginx_ingress_controller_requests', labels)).toBe(1);
    expect(sample(text, 'nginx_ingress_controller_request_size_sum', labels)).toBe(Buffer.byteLength(raw));
    expect(sample(text, 'nginx_ingress_controller_response_size_sum', labels)).toBe(received.length);
    for (const name of ['response_duration_seconds', 'header_duration_seconds', 'connect_duration_seconds']) {
      expect(sample(text, `nginx_ingress_controller_${name}_count`, labels)).toBe(1);
    }
    // This scrape's own connection is open, idle: the gateway's connection gauges are served too.
    expect(sample(text, 'nginx_ingress_controller_nginx_process_connections', { state: 'active' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'nginx_ingress_controller_nginx_process_connections_total', { state: 'accepted' })).toBeGreaterThan(0);
  });

  it('control plane: compile duration per compile, current diagnostics by severity and reason, process metrics', async () => {
    const text = await scrape(plain.status);
    const generation = sample(text, 'sluice_routing_table_generation')!;
    expect(generation).toBeGreaterThanOrEqual(1);
    // One observation per compile: every installed table (no compile failed).
    expect(sample(text, 'sluice_compile_duration_seconds_count')).toBe(generation);
    expect(sample(text, 'sluice_compile_duration_seconds_sum')).toBeGreaterThan(0);
    expect(sample(text, 'sluice_diagnostics', { severity: 'Warning', reason: 'ServiceNotFound' })).toBe(1);
    expect(text).not.toMatch(/^sluice_diagnostics\{severity="Error"/m);
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    // Manifest-file mode: no informers, so no informer metrics.
    expect(text).not.toContain('sluice_kube_informer');
  });

  it('a WebSocket is one access-log line and one request when it closes: 101, bytes each way, its duration', async () => {
    let clientSocket: Socket | undefined;
    const url = new URL(plain.http);
    const opened = performance.now();
    const ws = new WebSocket(`ws://${url.host}/chat`, {
      headers: { host: 'chat.test', 'x-request-id': 'ws-obs-1' },
      createConnection: () => (clientSocket = connectTcp(Number(url.port), url.hostname)),
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const echoed = new Promise((resolve) => ws.once('message', resolve));
    ws.send('x'.repeat(300));
    await echoed;
    const closed = new Promise<void>((resolve) => clientSocket!.once('close', () => resolve()));
    ws.close();
    await closed;
    const elapsed = (performance.now() - opened) / 1000;
    const entry = await logEntry(accessLogPath, 'ws-obs-1');
    expect(entry).toMatchObject({
      method: 'GET', path: '/chat', status: 101, upstream_status: 101, ingress: 'chat', service: 'chat', host: 'chat.test',
      bytes_sent: clientSocket!.bytesRead, request_length: clientSocket!.bytesWritten,
    });
    expect(entry!['request_time']).toBeLessThanOrEqual(Math.ceil(elapsed * 1000) / 1000);
    expect(entry!['upstream_response_time']).toBeLessThanOrEqual(entry!['request_time'] as number);
    const labels = { ingress: 'chat', method: 'GET', status: '101' };
    expect(sample(await scrape(plain.status), 'nginx_ingress_controller_requests', labels)).toBe(1);
  });

  it('a refused upgrade is logged and counted with the status the client got', async () => {
    const url = new URL(plain.http);
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://${url.host}/elsewhere`, { headers: { host: 'chat.test', 'x-request-id': 'ws-obs-2' } });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => undefined);
    });
    expect(status).toBe(403);
    expect(await logEntry(accessLogPath, 'ws-obs-2')).toMatchObject({ status: 403, upstream_status: 403, path: '/elsewhere' });
    expect(sample(await scrape(plain.status), 'nginx_ingress_controller_requests', { ingress: 'chat', status: '403' })).toBe(1);
  });

  it('--no-metrics: /metrics is not served', async () => {
    expect((await fetch(`${trusted.status}/metrics`)).status).toBe(404);
  });

  it('writes one JSON line per request with ingress-nginx\'s log fields', async () => {
    await hit(plain.http, 'open.test', '127.0.4.3', { referer: 'http://ref.test/', 'user-agent': 'obs-test/1', 'x-request-id': 'req-obs-1' }, '/api/logged?x=1');
    const entry = await logEntry(accessLogPath, 'req-obs-1');
    expect(entry).toMatchObject({
      remote_addr: '127.0.4.3', method: 'GET', path: '/api/logged?x=1', protocol: 'HTTP/1.1', status: 200,
      http_referer: 'http://ref.test/', http_user_agent: 'obs-test/1', upstream_addr: `127.0.0.2:${echo.port}`, upstream_status: 200,
      namespace: 'default', ingress: 'open', service: 'web', proxy_upstream_name: 'default-web-80',
    });
    expect(typeof entry!['time']).toBe('string');
    expect(entry!['bytes_sent']).toBeGreaterThan(100);
    expect(entry!['request_length']).toBeGreaterThan(50);
    expect(entry!['request_time']).toBeGreaterThanOrEqual(0);
    expect(entry!['upstream_response_time']).toBeGreaterThanOrEqual(0);
  });
});
