// The Kubernetes source when the API misbehaves, end to end through the real CLI and client-node: restarts that
// drop every watch and forget the watch history, 410 Gone on resume, dropped connections, RBAC denials, and the
// sync-failure exit. The last good routing table must keep serving throughout.
import { afterEach, describe, expect, it } from 'vitest';
import { startEchoPod, type EchoPod } from '../../scripts/echo-pod.ts';
import type { FakeApiServer } from '../fake-apiserver/server.ts';
import { GatewayProcess } from '../support/gateway-process.ts';
import { echoOf, send } from '../support/http-client.ts';
import { endpointSlices, ingress, service } from '../support/manifests.ts';
import { applyAll, kubeGeneration, startApiServer, startKubeGateway, tlsSecret, waitForKubeUpdate, type KubeGateway } from './support.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function cluster(seed = true): Promise<{ api: FakeApiServer; kubeconfig: string; pod: EchoPod }> {
  const pod = await startEchoPod('web', '127.0.0.2');
  const { api, kubeconfig } = await startApiServer();
  cleanup.push(() => pod.close(), () => api.stop());
  if (seed) {
    applyAll(api, [
      service('web'),
      ingress('web', [{ host: 'web.test', paths: [{ path: '/', service: 'web' }] }]),
      ingress('old', [{ host: 'old.test', paths: [{ path: '/', service: 'web' }] }]),
      ...endpointSlices('web', [{ address: pod.address, port: pod.port }]),
    ]);
  }
  return { api, kubeconfig, pod };
}

async function gatewayFor(kubeconfig: string, args: string[] = []): Promise<KubeGateway> {
  const started = await startKubeGateway(kubeconfig, args);
  cleanup.push(() => started.gateway.stop());
  return started;
}

function listRequests(api: FakeApiServer, plural: string): number {
  return api.requests.filter((r) => r.verb === 'list' && r.path.endsWith(`/${plural}`)).length;
}

describe('Kubernetes source resilience', () => {
  it('API server restart: keeps serving the old table, relists, and sees a deletion made while disconnected', async () => {
    const { api, kubeconfig } = await cluster();
    const { gateway, http, status } = await gatewayFor(kubeconfig);
    expect((await send(http, '/', { host: 'old.test' })).status).toBe(200);
    const generation = kubeGeneration(gateway);
    await api.stop();
    await gateway.waitForLog((l) => l.msg.includes('list/watch failed') && l['kind'] === 'Ingress');
    // Disconnected: the last good table serves, and the pod stays ready.
    expect((await send(http, '/', { host: 'old.test' })).status).toBe(200);
    const readiness = await send(status, '/readyz');
    expect(readiness.status).toBe(200);
    expect(readiness.body).toMatch(/^ok \(degraded: serving the last good objects; list\/watch failing for .*Ingress/);
    api.remove('Ingress', 'default', 'old'); // while Sluice cannot see it
    await api.restart(); // back, with the watch history lost
    await gateway.waitForLog((l) => l.msg === 'kube: Ingress in sync again', 20_000);
    await waitForKubeUpdate(gateway, generation, 20_000);
    expect((await send(http, '/', { host: 'old.test' })).status).toBe(404);
    expect(echoOf(await send(http, '/', { host: 'web.test' })).service).toBe('web');
  });

  it('410 Gone on resume: the watch ends, history is compacted, and the informer relists', async () => {
    const { api, kubeconfig } = await cluster();
    const { gateway, http } = await gatewayFor(kubeconfig);
    const lists = listRequests(api, 'ingresses');
    const generation = kubeGeneration(gateway);
    // In one tick: end the streams, change what Sluice watches, forget the history. Its resume from the last
    // resourceVersion it saw can only be answered with an ERROR 410 event.
    api.endWatches();
    api.remove('Ingress', 'default', 'old');
    api.store.compact();
    await waitForKubeUpdate(gateway, generation);
    expect((await send(http, '/', { host: 'old.test' })).status).toBe(404);
    expect(listRequests(api, 'ingresses')).toBe(lists + 1);
    // Handled inside client-node's ListWatch (410 → relist), not as a failure.
    expect(gateway.lines.some((l) => l.msg.includes('list/watch failed'))).toBe(false);
  });

  it('dropped connections (TCP reset): restarts the informers and catches up', async () => {
    const { api, kubeconfig } = await cluster();
    const { gateway, http } = await gatewayFor(kubeconfig);
    const generation = kubeGeneration(gateway);
    api.dropConnections();
    await gateway.waitForLog((l) => l.msg.includes('list/watch failed'));
    api.apply(ingress('later', [{ host: 'later.test', paths: [{ path: '/', service: 'web' }] }]));
    await waitForKubeUpdate(gateway, generation, 20_000);
    await gateway.waitForLog((l) => l.msg === 'routing table installed' && l['generation'] === 2);
    expect((await send(http, '/', { host: 'later.test' })).status).toBe(200);
  });

  it('403 on Secrets: names the missing RBAC rule and still serves routes that need no Secret', async () => {
    const { api, kubeconfig } = await cluster();
    api.deny('secrets', ['list', 'watch']);
    const { gateway, http, status } = await gatewayFor(kubeconfig);
    const error = await gateway.waitForLog((l) => l.msg.startsWith('kube: RBAC forbids reading secrets'));
    expect(error['missingRule']).toBe('a ClusterRole (bound cluster-wide) with apiGroups: [""], resources: ["secrets"], verbs: ["list", "watch"]');
    expect(String(error['error'])).toContain('HTTP 403');
    expect(String(error['error'])).toContain('cannot list resource "secrets"');
    expect((await send(status, '/readyz')).status).toBe(200);
    expect(echoOf(await send(http, '/', { host: 'web.test' })).service).toBe('web');
    // Granted later: the retry picks the Secrets up without a restart.
    api.apply(tlsSecret('web-tls'));
    api.allow('secrets', ['list', 'watch']);
    await gateway.waitForLog((l) => l.msg === 'kube: update' && l['secrets'] === 1, 30_000);
  });

  it('403 on Ingresses: not ready, /readyz names the kind and the error', async () => {
    const { api, kubeconfig } = await cluster();
    api.deny('ingresses', ['list']);
    const gateway = new GatewayProcess(['--kubeconfig', kubeconfig, '--http-port', '0', '--https-port', '0', '--status-port', '0', '--bind-address', '127.0.0.1']);
    cleanup.push(() => gateway.stop());
    const statusPort = await gateway.listening('status');
    await gateway.waitForLog((l) => l.msg.startsWith('kube: RBAC forbids reading ingresses'));
    const readyz = await send(`http://127.0.0.1:${statusPort}`, '/readyz');
    expect(readyz.status).toBe(503);
    expect(readyz.body).toContain('waiting for the first complete list of Ingress');
    expect(readyz.body).toContain('HTTP 403');
    expect(gateway.lines.some((l) => l.msg === 'listening' && l['listener'] === 'http')).toBe(false);
  });

  it('exits with status 1 after --sync-failure-timeout without a complete sync', async () => {
    const { api, kubeconfig } = await cluster();
    const { gateway } = await gatewayFor(kubeconfig, ['--sync-failure-timeout', '2']);
    await api.stop();
    expect(await gateway.exitCode()).toBe(1);
    const fatal = gateway.lines.find((l) => l.level === 60);
    expect(fatal?.msg).toContain('no successful sync with the Kubernetes API for 2 s');
  });
});
