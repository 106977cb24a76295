// End to end through the real CLI and the real client-node against the fake API server: creating, updating and
// deleting each kind reaches the routing table. Waits are on log lines (generations), never sleeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoPod, type EchoPod } from '../../scripts/echo-pod.ts';
import type { FakeApiServer } from '../fake-apiserver/server.ts';
import type { GatewayProcess } from '../support/gateway-process.ts';
import { echoOf, send } from '../support/http-client.ts';
import { endpointSlices, ingress, service } from '../support/manifests.ts';
import { applyAll, ingressClass, kubeGeneration, opaqueSecret, startApiServer, startKubeGateway, tlsSecret, waitForKubeUpdate } from './support.ts';

let api: FakeApiServer;
let gateway: GatewayProcess;
let http: string;
let status: string;
let web2: EchoPod;
let web3: EchoPod;

beforeAll(async () => {
  [web2, web3] = await Promise.all([startEchoPod('web', '127.0.0.2'), startEchoPod('web', '127.0.0.3')]);
  let kubeconfig: string;
  ({ api, kubeconfig } = await startApiServer());
  applyAll(api, [
    service('web'),
    ingress('web', [{ host: 'web.test', paths: [{ path: '/', service: 'web' }] }]),
    ...endpointSlices('web', [{ address: web2.address, port: web2.port }]),
  ]);
  ({ gateway, http, status } = await startKubeGateway(kubeconfig));
});

afterAll(async () => {
  await gateway?.stop();
  await api?.stop();
  await Promise.all([web2, web3].map((p) => p?.close()));
});

async function change(apply: () => void): Promise<void> {
  const before = kubeGeneration(gateway);
  apply();
  await waitForKubeUpdate(gateway, before);
}

describe('Kubernetes source, end to end', () => {
  it('serves from the first complete list, and /readyz is 200', async () => {
    expect((await send(status, '/readyz')).status).toBe(200);
    expect(echoOf(await send(http, '/', { host: 'web.test' })).pod).toBe('127.0.0.2');
    expect(gateway.lines.some((l) => l.msg === 'kube: connecting')).toBe(true);
  });

  it('Ingress: create, update, delete reach the routing table', async () => {
    await change(() => api.apply(ingress('more', [{ host: 'more.test', paths: [{ path: '/a', service: 'web' }] }])));
    expect((await send(http, '/a', { host: 'more.test' })).status).toBe(200);
    await change(() => api.apply(ingress('more', [{ host: 'more.test', paths: [{ path: '/b', service: 'web' }] }])));
    expect((await send(http, '/a', { host: 'more.test' })).status).toBe(404);
    expect((await send(http, '/b', { host: 'more.test' })).status).toBe(200);
    await change(() => api.remove('Ingress', 'default', 'more'));
    expect((await send(http, '/b', { host: 'more.test' })).status).toBe(404);
  });

  it('Service: delete makes its routes answer 503; re-create restores them', async () => {
    await change(() => api.remove('Service', 'default', 'web'));
    expect((await send(http, '/', { host: 'web.test' })).status).toBe(503);
    await change(() => api.apply(service('web')));
    expect((await send(http, '/', { host: 'web.test' })).status).toBe(200);
    await change(() => api.apply({ ...service('web', 81) }));
    expect((await send(http, '/', { host: 'web.test' })).status).toBe(503); // the Ingress names port 80
    await change(() => api.apply(service('web')));
  });

  it('EndpointSlice: create, update, delete change endpoints without recompiling routes', async () => {
    const generation = gateway.generation;
    const [slice2] = endpointSlices('web', [{ address: web2.address, port: web2.port }]);
    const slice3 = { ...endpointSlices('web', [{ address: web3.address, port: web3.port }])[0]!, metadata: { name: 'web-3', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } } };
    await change(() => api.apply(slice3));
    const pods = new Set<string>();
    for (let i = 0; i < 4; i++) pods.add(echoOf(await send(http, '/', { host: 'web.test' })).pod);
    expect([...pods].sort()).toEqual(['127.0.0.2', '127.0.0.3']);
    await change(() => api.remove('EndpointSlice', 'default', 'web-0'));
    for (let i = 0; i < 4; i++) expect(echoOf(await send(http, '/', { host: 'web.test' })).pod).toBe('127.0.0.3');
    await change(() => api.apply({ ...slice3, endpoints: [{ addresses: [web3.address], conditions: { ready: false, serving: false, terminating: true } }] }));
    expect((await send(http, '/', { host: 'web.test' })).status).toBe(503);
    await change(() => api.apply(slice2!));
    expect(echoOf(await send(http, '/', { host: 'web.test' })).pod).toBe('127.0.0.2');
    expect(gateway.generation).toBe(generation);
  });

  it('IngressClass: an Ingress of another class is served once its IngressClass names our controller', async () => {
    await change(() => api.apply(ingress('classy', [{ host: 'classy.test', paths: [{ path: '/', service: 'web' }] }], { ingressClassName: 'edge' })));
    expect((await send(http, '/', { host: 'classy.test' })).status).toBe(404);
    await change(() => api.apply(ingressClass('edge')));
    expect((await send(http, '/', { host: 'classy.test' })).status).toBe(200);
    await change(() => api.apply(ingressClass('edge', 'example.com/other')));
    expect((await send(http, '/', { host: 'classy.test' })).status).toBe(404);
    await change(() => api.remove('IngressClass', '', 'edge'));
    await change(() => api.remove('Ingress', 'default', 'classy'));
  });

  it('Secret: kubernetes.io/tls Secrets are read; other Secrets never reach the process', async () => {
    const generation = gateway.generation;
    await change(() => api.apply(tlsSecret('web-tls')));
    expect(gateway.lines.at(-1)).toBeDefined();
    const withTls = gateway.lines.filter((l) => l.msg === 'kube: update').at(-1)!;
    expect(withTls['secrets']).toBe(1);
    expect(gateway.generation).toBe(generation + 1); // the Snapshot changed: recompiled
    const updates = kubeGeneration(gateway);
    api.apply(opaqueSecret('db-password'));
    // The Opaque Secret is filtered by the API server (type field selector): no update may follow. Prove the
    // gateway is past that write by making a later, visible change and checking the Secret count it reports.
    await change(() => api.remove('Secret', 'default', 'web-tls'));
    const after = gateway.lines.filter((l) => l.msg === 'kube: update' && (l['generation'] as number) > updates);
    expect(after.map((l) => l['secrets'])).toEqual([0]);
    const secretRequests = api.requests.filter((r) => r.path.endsWith('/secrets'));
    expect(secretRequests.length).toBeGreaterThan(0);
    expect(secretRequests.every((r) => decodeURIComponent(r.query).includes('fieldSelector=type=kubernetes.io/tls'))).toBe(true);
  });

  it('bad objects become diagnostics and do not affect other Ingresses', async () => {
    await change(() => api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'portless', namespace: 'default' }, spec: {} }));
    await change(() => api.apply({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'odd', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'Carrier-Pigeon', endpoints: [] }));
    await change(() => api.apply(ingress('dangling', [{ host: 'dangling.test', paths: [{ path: '/', service: 'missing' }] }])));
    expect((await send(http, '/', { host: 'dangling.test' })).status).toBe(503);
    expect(echoOf(await send(http, '/', { host: 'web.test' })).pod).toBe('127.0.0.2');
    expect(gateway.lines.some((l) => l['reason'] === 'ServiceNotFound')).toBe(true);
    expect(gateway.lines.some((l) => l['reason'] === 'InvalidObject' && String(l['object']).includes('odd'))).toBe(true);
    expect(gateway.child.exitCode).toBeNull();
  });
});
