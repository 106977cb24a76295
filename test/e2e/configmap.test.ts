// "ConfigMap change applied live" (issue 7), through the real CLI in manifest mode: the global ConfigMap named by
// --configmap is edited while the gateway serves, and each change is observed on real requests once its table
// is installed (awaited on the generation, never a sleep) — limit status 503→429, HSTS max-age, 413 for large
// bodies, the access log stopping — then an invalid value is reported naming the ConfigMap and the field while
// the previous value stays in effect and the other settings and routes are unaffected.
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoPod, type EchoPod } from '../../scripts/echo-pod.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml, writeManifest, type RawObject } from '../support/manifests.ts';
import { makeCertificate, tlsSecret, type TestCertificate } from '../tls/certificates.ts';
import { annotated } from './annotations-fixture.ts';

let echo: EchoPod;
let dir: string;
let gateway: GatewayProcess;
let http: string;
let httpsPort: number;
let cert: TestCertificate;
let accessLog: string;

function configMap(data: Record<string, string>): RawObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sluice', namespace: 'sluice' }, data };
}

/** Writes the ConfigMap file and waits for the routing table (with its settings) built from it. */
async function applyConfigMap(data: Record<string, string>): Promise<void> {
  const generation = gateway.generation;
  await writeManifest(dir, 'configmap.yaml', toYaml([configMap(data)]));
  await gateway.waitForGeneration(generation);
}

/** One request on its own connection from `from` (rate-limit budgets are per client address). */
function hit(host: string, from: string, options: { path?: string; body?: Buffer } = {}): Promise<{ status: number; retryAfter?: string }> {
  const url = new URL(http);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname: url.hostname, port: url.port, path: options.path ?? '/', method: options.body ? 'POST' : 'GET', agent: false, localAddress: from, headers: { host } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers['retry-after'] ? { retryAfter: res.headers['retry-after'] } : {}) }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function statuses(host: string, from: string, count: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await hit(host, from)).status);
  return seen;
}

function hsts(): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: httpsPort, path: '/', servername: 'secure.test', headers: { host: 'secure.test' }, agent: false, ca: cert.cert },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers['strict-transport-security'] as string | undefined));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function accessLogPaths(): Promise<string[]> {
  const text = await readFile(accessLog, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { path: string }).path);
}

const ok = (n: number): number[] => Array<number>(n).fill(200);
const MiB = 1024 * 1024;

beforeAll(async () => {
  cert = await makeCertificate(['secure.test']);
  echo = await startEchoPod('web', '127.0.0.2');
  dir = await tempManifestDir();
  accessLog = join(dir, 'logs', 'access.log');
  const secure = ingress('secure', [{ host: 'secure.test', paths: [{ path: '/', service: 'web' }] }]);
  await writeManifest(dir, 'app.yaml', toYaml([
    service('web'),
    ...endpointSlices('web', [{ address: echo.address, port: echo.port }]),
    ingress('web', [{ host: 'web.test', paths: [{ path: '/', service: 'web' }] }]),
    annotated(ingress('limited', [{ host: 'limited.test', paths: [{ path: '/', service: 'web' }] }]), { 'limit-rps': '1' }),
    { ...secure, spec: { ...(secure['spec'] as object), tls: [{ hosts: ['secure.test'], secretName: 'secure' }] } },
    tlsSecret('secure', cert),
  ]));
  // Another ConfigMap in the directory: not the one named by --configmap, so it is ignored.
  await writeManifest(dir, 'other.yaml', toYaml([{ ...configMap({ 'limit-req-status-code': '418' }), metadata: { name: 'other', namespace: 'sluice' } }]));
  ({ gateway, http } = await startGateway(['--manifests', dir, '--configmap', 'sluice/sluice', '--access-log', accessLog]));
  httpsPort = (await gateway.waitForLog((l) => l.msg === 'listening' && l['listener'] === 'https'))['port'] as number;
});

afterAll(async () => {
  await gateway?.stop();
  await echo?.close();
});

describe('the global ConfigMap, applied live (manifest mode, real CLI)', () => {
  it('absent ConfigMap: every setting at its default (the flags), and the gateway is ready', async () => {
    expect(await statuses('limited.test', '127.0.10.1', 7)).toEqual([...ok(6), 503]);
    expect(await hsts()).toBe('max-age=31536000; includeSubDomains');
    expect((await hit('web.test', '127.0.10.2', { body: Buffer.alloc(2 * MiB) })).status).toBe(413); // ingress-nginx's 1m
    expect((await hit('web.test', '127.0.10.2', { body: Buffer.alloc(MiB) })).status).toBe(200);
    await expect.poll(accessLogPaths, { timeout: 10_000 }).toContain('/');
  });

  it('ConfigMap change applied live: limit status 503→429, HSTS max-age, body size, access log off', async () => {
    await applyConfigMap({ 'limit-req-status-code': '429', 'hsts-max-age': '600', 'proxy-body-size': '4m', 'disable-access-log': 'true' });
    const limited = await hit('limited.test', '127.0.11.1').then(async () => {
      for (let i = 0; i < 5; i++) await hit('limited.test', '127.0.11.1');
      return hit('limited.test', '127.0.11.1');
    });
    expect(limited).toEqual({ status: 429, retryAfter: '1' });
    expect(await hsts()).toBe('max-age=600; includeSubDomains');
    expect((await hit('web.test', '127.0.11.2', { body: Buffer.alloc(2 * MiB) })).status).toBe(200);
    expect((await hit('web.test', '127.0.11.2', { body: Buffer.alloc(5 * MiB) })).status).toBe(413);
    // The access log stopped: a request now leaves no line. Proven without waiting for "nothing": log is turned
    // back on, a later request's line appears, and the earlier one is still absent.
    await hit('web.test', '127.0.11.3', { path: '/while-off' });
    await applyConfigMap({ 'limit-req-status-code': '429', 'hsts-max-age': '600', 'proxy-body-size': '4m' });
    await hit('web.test', '127.0.11.3', { path: '/back-on' });
    await expect.poll(accessLogPaths, { timeout: 10_000 }).toContain('/back-on');
    expect(await accessLogPaths()).not.toContain('/while-off');
  });

  it('an invalid value: reported naming the ConfigMap and the field, the previous value stays, other keys and routes unaffected', async () => {
    await applyConfigMap({ 'limit-req-status-code': '42x', 'hsts-max-age': '900', 'proxy-body-size': '4m' });
    const line = await gateway.waitForLog((l) => l['reason'] === 'ConfigMapValueInvalid');
    expect(line).toMatchObject({ level: 50, object: 'ConfigMap sluice/sluice', field: 'data[limit-req-status-code]' });
    expect(line.msg).toContain('the previous value 429 stays in effect');
    expect(await statuses('limited.test', '127.0.12.1', 7)).toEqual([...ok(6), 429]);
    expect(await hsts()).toBe('max-age=900; includeSubDomains');
    expect((await hit('web.test', '127.0.12.2')).status).toBe(200);
    expect((await hit('secure.test', '127.0.12.2')).status).toBe(308); // ssl-redirect as before
    // Fixed again: the new value applies and the diagnostic is gone from the next report.
    await applyConfigMap({ 'limit-req-status-code': '503' });
    expect(await statuses('limited.test', '127.0.12.3', 7)).toEqual([...ok(6), 503]);
    expect(await hsts()).toBe('max-age=31536000; includeSubDomains');
  });

  it('a client still sending a body over the limit reads its 413, not a reset (nginx lingering_close)', async () => {
    // One write of 5 MiB: the gateway answers after the headers, long before the body is sent. Without lingering,
    // the connection's close made the client's kernel see an RST and the client an EPIPE (3 runs in 4).
    for (let i = 0; i < 5; i++) expect((await hit('web.test', '127.0.13.1', { body: Buffer.alloc(5 * MiB) })).status).toBe(413);
  });

  it('the settings in effect are logged on every change', () => {
    const logged = gateway.lines.filter((l) => l.msg === 'global settings in effect').map((l) => l['settings'] as Record<string, unknown>);
    expect(logged.map((s) => [s['limitReqStatusCode'], s['hstsMaxAge'], s['disableAccessLog']])).toEqual([
      [503, 31_536_000, false], // start: no ConfigMap
      [429, 600, true],
      [429, 600, false], // access log back on
      [429, 900, false], // invalid limit-req-status-code: 429 kept, hsts-max-age applied
      [503, 31_536_000, false],
    ]);
  });
});
