// examples/origin-story.yaml served as its comments say, through the real CLI claiming the `nginx` class:
// demo.example.com/nginx… has its prefix rewritten away (rewrite-target /$2 on a Prefix path with regex
// characters, the case recent ingress-nginx rejects and older versions served as a regex).
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoPod, type EchoPod } from '../../scripts/echo-pod.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { echoOf, send } from '../support/http-client.ts';
import { endpointSlices, tempManifestDir, toYaml, writeManifest } from '../support/manifests.ts';

let pods: EchoPod[] = [];
let gateway: GatewayProcess;
let http: string;

beforeAll(async () => {
  pods = await Promise.all([startEchoPod('hello-server', '127.0.0.2'), startEchoPod('nginx-demo', '127.0.0.4')]);
  const dir = await tempManifestDir();
  await writeManifest(dir, 'origin-story.yaml', await readFile(new URL('../../examples/origin-story.yaml', import.meta.url), 'utf8'));
  const [hello, demo] = pods as [EchoPod, EchoPod];
  await writeManifest(dir, 'endpoints.yaml', toYaml([...endpointSlices('hello-server', [hello]), ...endpointSlices('nginx-demo', [demo])]));
  ({ gateway, http } = await startGateway(['--manifests', dir, '--ingress-class', 'nginx']));
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all(pods.map((pod) => pod.close()));
});

describe('the origin story (examples/origin-story.yaml)', () => {
  it.each([
    ['/nginx', '/'],
    ['/nginx/', '/'],
    ['/nginx/xxx', '/xxx'],
    ['/nginx/xxx/yyy?z=1', '/xxx/yyy?z=1'],
    ['/NGINX/Case', '/Case'], // regex mode is case-insensitive, as nginx's ~*
  ])('demo.example.com%s → nginx-demo sees %s', async (path, seen) => {
    const reply = echoOf(await send(http, path, { host: 'demo.example.com' }));
    expect(reply.service).toBe('nginx-demo');
    expect(reply.url).toBe(seen);
  });

  it('demo.example.com answers 404 outside /nginx', async () => {
    expect((await send(http, '/nginxy', { host: 'demo.example.com' })).status).toBe(404);
    expect((await send(http, '/other', { host: 'demo.example.com' })).status).toBe(404);
  });

  it('hello.example.com serves every path from hello-server; the Ingress-wide rewrite-target /$2 makes it "/"', async () => {
    // ingress-nginx applies the annotation to every path of the Ingress: `rewrite "(?i)/" /$2` with no $2.
    const reply = echoOf(await send(http, '/any/path?x=1', { host: 'hello.example.com' }));
    expect(reply.service).toBe('hello-server');
    expect(reply.url).toBe('/?x=1');
  });

  it('haha.example.com serves only / (Exact), limited by limit-rps (test/e2e/rate-limit.test.ts)', async () => {
    expect(echoOf(await send(http, '/', { host: 'haha.example.com' })).service).toBe('nginx-demo');
    expect((await send(http, '/other', { host: 'haha.example.com' })).status).toBe(404);
  });
});
