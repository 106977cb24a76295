// --trusted-proxies, GET /metrics and --access-log through the real CLI and real sockets. Client source addresses
// are 127.0.x.y (all loopback), so rate-limit budgets never leak between tests.
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoPod, type EchoPod, type EchoReply } from '../../scripts/echo-pod.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml, writeManifest } from '../support/manifests.ts';
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

/** The value of the one sample of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

let echo: EchoPod;
let plain: { gateway: GatewayProcess; http: string; status: string };
let trusted: { gateway: GatewayProcess; http: string; status: string };
let accessLogPath: string;

beforeAll(async () => {
  echo = await startEchoPod('web', '127.0.0.2');
  const dir = await tempManifestDir();
  accessLogPath = join(dir, 'logs', 'access.log');
  await writeManifest(dir, 'objects.yaml', toYaml([
    service('web'), ...endpointSlices('web', [echo]),
    annotated(ingress('limited', [{ host: 'rl.test', paths: [{ path: '/', service: 'web' }] }], { ingressClassName: 'nginx' }), { 'limit-rps': '1' }),
    ingress('open', [{ host: 'open.test', paths: [{ path: '/api', service: 'web' }] }], { ingressClassName: 'nginx' }),
  ]));
  [plain, trusted] = await Promise.all([
    startGateway(['--manifests', dir, '--ingress-class', 'nginx', '--access-log', accessLogPath]),
    startGateway(['--manifests', dir, '--ingress-class', 'nginx', '--trusted-proxies', '127.0.0.0/8, ::1', '--no-metrics']),
  ]);
});

afterAll(async () => {
  await Promise.all([plain?.gateway.stop(), trusted?.gateway.stop()]);
  await echo?.close();
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
    expect(text).toMatch(/^nginx_ingress_controller_config_last_reload_successful 1$/m);
    expect(text).toMatch(/^sluice_routing_table_generation [1-9]/m);
    expect(text).toMatch(/^sluice_config_failed_compiles_total 0$/m);
    expect(text).toMatch(/^sluice_rate_limit_store_fallbacks_total 0$/m);
    // The rate-limited requests of the first test (6 × 200, 1 × 503) are counted under their own labels.
    expect(sample(text, 'nginx_ingress_controller_requests', { ingress: 'limited', status: '503' })).toBeGreaterThanOrEqual(1);
  });

  it('--no-metrics: /metrics is not served', async () => {
    expect((await fetch(`${trusted.status}/metrics`)).status).toBe(404);
  });

  it('writes one JSON line per request with ingress-nginx\'s log fields', async () => {
    await hit(plain.http, 'open.test', '127.0.4.3', { referer: 'http://ref.test/', 'user-agent': 'obs-test/1', 'x-request-id': 'req-obs-1' }, '/api/logged?x=1');
    let entry: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && entry === undefined; i++) {
      const text = await readFile(accessLogPath, 'utf8').catch(() => '');
      entry = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e['req_id'] === 'req-obs-1');
      if (entry === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
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
