// No request, manifest or upstream behaviour may crash the gateway or take down other routes. Each case sends
// its bad input to the real CLI process and then proves the process still serves a good route.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoPod, type EchoPod } from '../../scripts/echo-pod.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { echoOf, rawExchange, send } from '../support/http-client.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml, writeManifest } from '../support/manifests.ts';

let good: EchoPod;
let rude: Server;
let gateway: GatewayProcess;
let http: string;
let dir: string;

/** An upstream that misbehaves in the way the request path asks for. */
function misbehave(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
  const socket = res.socket!;
  if (req.url === '/garbage') socket.end('THIS IS NOT HTTP\r\n\r\n');
  else if (req.url === '/truncated') {
    res.writeHead(200, { 'content-length': 1000 });
    res.write('only ten b');
    setImmediate(() => socket.destroy());
  } else if (req.url === '/reset') socket.destroy();
  // '/silent': never answers; the gateway's read timeout must turn it into a 504.
}

async function stillServing(): Promise<void> {
  expect(gateway.child.exitCode).toBeNull();
  expect(echoOf(await send(http, '/ok', { host: 'good.test' })).service).toBe('good');
}

beforeAll(async () => {
  good = await startEchoPod('good', '127.0.0.8');
  rude = createServer(misbehave);
  await new Promise<void>((resolve) => rude.listen(0, '127.0.0.9', resolve));
  dir = await tempManifestDir();
  await writeManifest(dir, 'base.yaml', toYaml([
    service('good'), service('rude'),
    ingress('base', [
      { host: 'good.test', paths: [{ path: '/', service: 'good' }] },
      { host: 'rude.test', paths: [{ path: '/', service: 'rude' }] },
    ]),
    ...endpointSlices('good', [{ address: '127.0.0.8', port: good.port }]),
    ...endpointSlices('rude', [{ address: '127.0.0.9', port: (rude.address() as AddressInfo).port }]),
  ]));
  ({ gateway, http } = await startGateway(['--manifests', dir, '--proxy-read-timeout', '0.5']));
});

afterAll(async () => {
  await gateway?.stop();
  await good?.close();
  rude?.closeAllConnections();
  rude?.close();
});

describe('bad requests', () => {
  const port = (): number => Number(new URL(http).port);

  it.each([
    ['garbage instead of HTTP', 'GARBAGE\r\n\r\n', /^HTTP\/1\.1 400/],
    ['an invalid percent escape', 'GET /%zz HTTP/1.1\r\nHost: good.test\r\n\r\n', /^HTTP\/1\.1 400/],
    ['an encoded NUL', 'GET /a%00b HTTP/1.1\r\nHost: good.test\r\n\r\n', /^HTTP\/1\.1 400/],
    ['a path above the root', 'GET /a/../../etc HTTP/1.1\r\nHost: good.test\r\n\r\n', /^HTTP\/1\.1 400/],
    ['the asterisk form', 'OPTIONS * HTTP/1.1\r\nHost: good.test\r\n\r\n', /^HTTP\/1\.1 400/],
    ['no Host header (HTTP/1.0)', 'GET / HTTP/1.0\r\n\r\n', /^HTTP\/1\.[01] 404/],
    ['a header with a CR in it', 'GET / HTTP/1.1\r\nHost: good.test\r\nX-A: b\rc\r\n\r\n', /^HTTP\/1\.1 400/],
    ['an oversized header block', `GET / HTTP/1.1\r\nHost: good.test\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`, /^HTTP\/1\.1 431/],
    ['a CONNECT request', 'CONNECT good.test:443 HTTP/1.1\r\nHost: good.test:443\r\n\r\n', /^(HTTP\/1\.1 [45]\d\d|)$/],
  ])('%s gets a clean error and the gateway keeps serving', async (_name, bytes, expected) => {
    const answer = await rawExchange(port(), bytes);
    expect(answer.split('\r\n')[0]).toMatch(expected);
    await stillServing();
  });
});

describe('misbehaving upstreams', () => {
  it('answers 502 when the upstream speaks garbage', async () => {
    expect((await send(http, '/garbage', { host: 'rude.test' })).status).toBe(502);
    await stillServing();
  });

  it('answers 502 when the upstream resets a POST before answering', async () => {
    expect((await send(http, '/reset', { host: 'rude.test', method: 'POST', body: 'x' })).status).toBe(502);
    await stillServing();
  });

  it('cuts the client connection when the upstream dies mid-body', async () => {
    await expect(send(http, '/truncated', { host: 'rude.test' })).rejects.toThrow();
    await stillServing();
  });

  it('answers 504 when the upstream never answers within the read timeout', async () => {
    expect((await send(http, '/silent', { host: 'rude.test' })).status).toBe(504);
    await stillServing();
  });
});

describe('bad manifests', () => {
  it.each([
    ['binary garbage', Buffer.from([0, 159, 146, 150, 255, 0, 1]).toString('latin1')],
    ['an empty file', ''],
    ['a scalar document', 'just a string\n'],
    ['an Ingress without spec', 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: broken}\n'],
    ['a Service with a non-numeric port', 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: abc}]}\n'],
    ['an Ingress with an invalid path and host', toYaml([ingress('weird', [{ host: '-bad-.test', paths: [{ path: 'nope', service: 'good' }] }])])],
    ['a deeply nested document', '['.repeat(5000) + ']'.repeat(5000)],
  ])('%s is reported and the other routes keep serving', async (_name, content) => {
    const updates = gateway.updates;
    await writeManifest(dir, 'bad.yaml', content);
    await gateway.waitForUpdate(updates);
    await stillServing();
  });
});
