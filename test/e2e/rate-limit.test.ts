// limit-rps/-rpm/-burst-multiplier/-connections/-allowlist through the real CLI and real sockets. Each test uses
// its own client source addresses (127.0.x.y, all on the loopback interface), so budgets never leak between tests.
import { readFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoPod, type EchoPod } from '../../scripts/echo-pod.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml, writeManifest } from '../support/manifests.ts';
import { annotated } from './annotations-fixture.ts';
import { sample } from '../support/metrics-text.ts';

interface Hit { status: number; retryAfter: string | undefined; body: string }

/** One request on its own connection from source address `from`. */
function hit(base: string, host: string, from: string, path = '/'): Promise<Hit> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname: url.hostname, port: url.port, path, agent: false, localAddress: from, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function statuses(base: string, host: string, from: string, count: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await hit(base, host, from)).status);
  return seen;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const nginx = { ingressClassName: 'nginx' };
const ok = (n: number): number[] => Array<number>(n).fill(200);

let echo: EchoPod;
let slow: Server;
let gateway: GatewayProcess;
let gateway429: GatewayProcess;
let http: string;
let http429: string;
let status429: string;

beforeAll(async () => {
  echo = await startEchoPod('web', '127.0.0.2');
  // A pod that holds every request for 1.5 s, so limit-connections sees requests in progress.
  slow = createServer((_req, res) => setTimeout(() => res.end('slow\n'), 1500));
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.3', resolve));
  const dir = await tempManifestDir();
  const slowPort = (slow.address() as AddressInfo).port;
  await writeManifest(dir, 'origin-story.yaml', await readFile(new URL('../../examples/origin-story.yaml', import.meta.url), 'utf8'));
  await writeManifest(dir, 'objects.yaml', toYaml([
    service('web'), service('slow'),
    ...endpointSlices('web', [echo]), ...endpointSlices('slow', [{ address: '127.0.0.3', port: slowPort }]),
    ...endpointSlices('nginx-demo', [echo]), ...endpointSlices('hello-server', [echo]),
    annotated(ingress('a', [{ host: 'a.test', paths: [{ path: '/', service: 'web' }] }, { host: 'a2.test', paths: [{ path: '/', service: 'web' }] }], nginx),
      { 'limit-rps': '1', 'limit-allowlist': '127.0.9.0/24, 10.0.0.1' }),
    annotated(ingress('b', [{ host: 'b.test', paths: [{ path: '/', service: 'web' }] }], nginx), { 'limit-rps': '1' }),
    annotated(ingress('m', [{ host: 'rpm.test', paths: [{ path: '/', service: 'web' }] }], nginx), { 'limit-rpm': '2', 'limit-burst-multiplier': '1' }),
    annotated(ingress('c', [{ host: 'conn.test', paths: [{ path: '/', service: 'slow' }] }], nginx), { 'limit-connections': '2' }),
  ]));
  const [plain, with429] = await Promise.all([
    startGateway(['--manifests', dir, '--ingress-class', 'nginx']),
    startGateway(['--manifests', dir, '--ingress-class', 'nginx', '--limit-req-status-code', '429']),
  ]);
  ({ gateway, http } = plain);
  ({ gateway: gateway429, http: http429, status: status429 } = with429);
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), gateway429?.stop()]);
  await echo?.close();
  slow?.closeAllConnections();
  await new Promise((resolve) => slow?.close(resolve));
});

describe('rate limiting (nginx limit_req / limit_conn)', () => {
  it('origin story: haha.example.com limit-rps 1 → 6 back-to-back 200s, the 7th 503, then one more per second', async () => {
    expect(await statuses(http, 'haha.example.com', '127.0.1.1', 7)).toEqual([...ok(6), 503]);
    const refused = await hit(http, 'haha.example.com', '127.0.1.1');
    expect(refused.body).toBe('503 Service Temporarily Unavailable\n');
    await sleep(1100);
    expect(await statuses(http, 'haha.example.com', '127.0.1.1', 2)).toEqual([200, 503]);
  });

  it('two clients have independent budgets', async () => {
    expect(await statuses(http, 'b.test', '127.0.2.1', 7)).toEqual([...ok(6), 503]);
    expect(await statuses(http, 'b.test', '127.0.2.2', 7)).toEqual([...ok(6), 503]);
  });

  it("one budget per Ingress: its hosts share it, another Ingress's is separate", async () => {
    expect(await statuses(http, 'a.test', '127.0.3.1', 6)).toEqual(ok(6));
    expect(await statuses(http, 'a2.test', '127.0.3.1', 1)).toEqual([503]);
    expect(await statuses(http, 'b.test', '127.0.3.1', 1)).toEqual([200]);
  });

  it('an allow-listed client is never limited', async () => {
    expect(await statuses(http, 'a.test', '127.0.9.7', 20)).toEqual(ok(20));
  });

  it('limit-rpm 2 with limit-burst-multiplier 1: 3 at once, then refused', async () => {
    expect(await statuses(http, 'rpm.test', '127.0.4.1', 5)).toEqual([...ok(3), 503, 503]);
  });

  it('--limit-req-status-code 429 answers 429 with Retry-After', async () => {
    expect(await statuses(http429, 'haha.example.com', '127.0.5.1', 6)).toEqual(ok(6));
    const refused = await hit(http429, 'haha.example.com', '127.0.5.1');
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('1');
  });

  it('sluice_rate_limit_rejections_total counts each refusal once, by kind (rate / connections)', async () => {
    const rejections = async (): Promise<{ rate: number; connections: number }> => {
      const text = await (await fetch(`${status429}/metrics`)).text();
      return { rate: sample(text, 'sluice_rate_limit_rejections_total', { kind: 'rate' }) ?? NaN, connections: sample(text, 'sluice_rate_limit_rejections_total', { kind: 'connections' }) ?? NaN };
    };
    const before = await rejections();
    expect(await statuses(http429, 'b.test', '127.0.5.9', 9)).toEqual([...ok(6), 429, 429, 429]);
    const inFlight = [hit(http429, 'conn.test', '127.0.5.9'), hit(http429, 'conn.test', '127.0.5.9')];
    await sleep(300);
    expect((await hit(http429, 'conn.test', '127.0.5.9')).status).toBe(503); // --limit-conn-status-code default
    await Promise.all(inFlight);
    expect(await rejections()).toEqual({ rate: before.rate + 3, connections: before.connections + 1 });
  });

  it('limit-connections 2: a third request in progress from the same client is refused, others are not', async () => {
    const inFlight = [hit(http, 'conn.test', '127.0.6.1'), hit(http, 'conn.test', '127.0.6.1')];
    await sleep(300);
    expect((await hit(http, 'conn.test', '127.0.6.1')).status).toBe(503);
    const other = hit(http, 'conn.test', '127.0.6.2');
    expect((await Promise.all(inFlight)).map((h) => h.status)).toEqual([200, 200]);
    expect((await other).status).toBe(200);
    expect((await hit(http, 'conn.test', '127.0.6.1')).status).toBe(200); // slots freed when the answers ended
  });

  // A smoke check through real sockets (RSS is noisy: V8 grows its heap lazily, so a warm-up round comes first and
  // the margin is wide); the bound itself — 1 M keys stay at the zone's 40 000 — is test/proxy/rate-limit-arithmetic.
  it('memory stays bounded under a flood of distinct client addresses', async () => {
    const flood = async (first: number, count: number): Promise<void> => {
      const sources = Array.from({ length: count }, (_, i) => `127.${20 + ((first + i) >> 8)}.${(first + i) & 255}.1`);
      for (let i = 0; i < sources.length; i += 100) {
        await Promise.all(sources.slice(i, i + 100).map((from) => hit(http, 'b.test', from)));
      }
    };
    await flood(0, 1000);
    const rssBefore = await rssOf(gateway);
    await flood(1000, 5000);
    const grown = (await rssOf(gateway)) - rssBefore;
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});

async function rssOf(process: GatewayProcess): Promise<number> {
  const status = await readFile(`/proc/${process.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}
