// End to end through the real CLI process: manifests in a watched directory, real upstream "pods" on loopback
// addresses, real HTTP through the gateway.
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoPod, type EchoPod } from '../../scripts/echo-pod.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { echoOf, rawExchange, send } from '../support/http-client.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml, writeManifest } from '../support/manifests.ts';

let web2: EchoPod;
let web3: EchoPod;
let api4: EchoPod;
let dir: string;
let gateway: GatewayProcess;
let http: string;

const routes = ingress('shop', [
  {
    host: 'web.test',
    paths: [
      { path: '/', service: 'web' },
      { path: '/api', service: 'api' },
    ],
  },
  { host: 'api.test', paths: [{ path: '/v1', pathType: 'Exact', service: 'api' }] },
]);

function endpointsYaml(webPods: EchoPod[]): string {
  return toYaml([
    ...endpointSlices('web', webPods.map((p) => ({ address: p.address, port: p.port }))),
    ...endpointSlices('api', [{ address: api4.address, port: api4.port }]),
  ]);
}

beforeAll(async () => {
  [web2, web3, api4] = await Promise.all([
    startEchoPod('web', '127.0.0.2'),
    startEchoPod('web', '127.0.0.3'),
    startEchoPod('api', '127.0.0.4'),
  ]);
  dir = await tempManifestDir();
  await writeManifest(dir, 'services.yaml', toYaml([service('web'), service('api')]));
  await writeManifest(dir, 'ingress.yaml', toYaml([routes]));
  await writeManifest(dir, 'endpoints.yaml', endpointsYaml([web2, web3]));
  ({ gateway, http } = await startGateway(['--manifests', dir]));
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([web2, web3, api4].map((pod) => pod?.close()));
});

describe('routing through the CLI', () => {
  it.each([
    ['web.test', '/', 'web'],
    ['web.test', '/deep/page?q=1', 'web'],
    ['web.test', '/api', 'api'],
    ['web.test', '/api/orders', 'api'],
    ['web.test', '/apiary', 'web'], // element-wise Prefix: /api does not match /apiary
    ['WEB.TEST:8080', '/api/x', 'api'], // host is case-insensitive, port ignored
    ['api.test', '/v1', 'api'],
  ])('Host %s, path %s → service %s', async (host, path, expected) => {
    const reply = echoOf(await send(http, path, { host }));
    expect(reply.service).toBe(expected);
    expect(reply.url).toBe(path); // the original request target reaches the backend
  });

  it.each([
    ['api.test', '/v2'],
    ['api.test', '/v1/'], // Exact does not match a trailing slash
    ['unknown.test', '/'],
  ])('Host %s, path %s → 404 from the controller', async (host, path) => {
    const reply = await send(http, path, { host });
    expect(reply.status).toBe(404);
    expect(reply.headers['x-pod']).toBeUndefined();
  });

  it('normalises the path before matching but forwards the original target', async () => {
    const reply = echoOf(await send(http, '/public/../api/x', { host: 'web.test' }));
    expect(reply.service).toBe('api');
    expect(reply.url).toBe('/public/../api/x');
    expect((await send(http, '/%61pi/x', { host: 'web.test' })).body).toContain('"service": "api"');
    expect((await send(http, '/..', { host: 'web.test' })).status).toBe(400);
  });

  // RFC 9112 §3.2.2 and nginx: the request line's authority names the virtual host, the Host header is ignored,
  // and the pod gets the origin-form target with that authority as Host.
  it.each([
    ['a conflicting Host header', 'GET http://api.test/v1?x=1 HTTP/1.1\r\nHost: web.test\r\n', 'api', '/v1?x=1'],
    ['no Host header (HTTP/1.0)', 'GET HTTP://WEB.TEST:8080/api/o HTTP/1.0\r\n', 'api', '/api/o'],
    ['an empty path', 'GET http://web.test?q HTTP/1.1\r\nHost: api.test\r\n', 'web', '/?q'],
  ])('routes an absolute-form request target by its authority: %s', async (_name, head, service, url) => {
    const answer = await rawExchange(Number(new URL(http).port), `${head}Connection: close\r\n\r\n`, { halfClose: false });
    expect(answer.split('\r\n')[0]).toMatch(/^HTTP\/1\.[01] 200/);
    const reply = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { service: string; url: string; headers: Record<string, string> };
    const authority = /^\S+ \S+?:\/\/([^/?]+)/i.exec(head)![1];
    expect(reply).toMatchObject({ service, url, headers: { host: authority, 'x-forwarded-host': authority } });
  });

  it('refuses an absolute-form target with userinfo, and one with two Host headers, as nginx does (400)', async () => {
    const port = Number(new URL(http).port);
    for (const head of ['GET http://user@web.test/ HTTP/1.1\r\nHost: web.test\r\n', 'GET http://web.test/ HTTP/1.1\r\nHost: web.test\r\nHost: api.test\r\n']) {
      expect((await rawExchange(port, `${head}Connection: close\r\n\r\n`, { halfClose: false })).split('\r\n')[0]).toMatch(/^HTTP\/1\.1 400/);
    }
  });

  it('balances round robin across both pods of a Service', async () => {
    const agent = new Agent({ keepAlive: true });
    const pods = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const pod = echoOf(await send(http, '/', { host: 'web.test', agent })).pod;
      pods.set(pod, (pods.get(pod) ?? 0) + 1);
    }
    agent.destroy();
    expect(pods.get('127.0.0.2')).toBe(50);
    expect(pods.get('127.0.0.3')).toBe(50);
  });

  it('keeps serving the last good objects when a manifest file becomes malformed', async () => {
    const updates = gateway.updates;
    await writeManifest(dir, 'ingress.yaml', 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: [unclosed\n');
    await gateway.waitForLog((l) => l['reason'] === 'ManifestParseError');
    await gateway.waitForUpdate(updates);
    expect(echoOf(await send(http, '/api/x', { host: 'web.test' })).service).toBe('api');
    await writeManifest(dir, 'ingress.yaml', toYaml([routes]));
  });

  it('stops sending traffic to an endpoint removed from the manifests, with no failed request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const statuses: number[] = [];
    let running = true;
    let inFlight: Promise<unknown> = Promise.resolve();
    const traffic = (async () => {
      while (running) {
        const sent = send(http, '/', { host: 'web.test', agent });
        inFlight = sent;
        statuses.push((await sent).status);
      }
    })();
    const updates = gateway.updates;
    await writeManifest(dir, 'endpoints.yaml', endpointsYaml([web2]));
    await gateway.waitForUpdate(updates);
    // A request a worker sent to web3 just before it applied the update may reach web3 after this test read the
    // log line (both are I/O in this process, in either order): count from once it has been answered.
    await inFlight;
    const hitsOn3 = web3.hits;
    for (let i = 0; i < 20; i++) expect(echoOf(await send(http, '/', { host: 'web.test', agent })).pod).toBe('127.0.0.2');
    running = false;
    await traffic;
    agent.destroy();
    expect(web3.hits).toBe(hitsOn3);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await writeManifest(dir, 'endpoints.yaml', endpointsYaml([web2, web3]));
    await gateway.waitForUpdate(gateway.updates);
  });

  it('sends idempotent requests to the surviving pod when one is killed', async () => {
    await web3.close();
    const served = new Set<string>();
    for (let i = 0; i < 10; i++) served.add(echoOf(await send(http, '/', { host: 'web.test' })).pod);
    expect([...served]).toEqual(['127.0.0.2']);
  });
});
