// The Kubernetes configuration lookup, and the node addresses published in Ingress status when no
// --publish-status-address is given (ingress-nginx's runningAddresses), read through the real client-node from
// the fake API server.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig, KubeConfigError } from '../../src/watch/kube/kube-config.ts';
import { nodeAddresses } from '../../src/watch/status/status-addresses.ts';
import type { FakeApiServer } from '../fake-apiserver/server.ts';
import { startApiServer } from './support.ts';

let api: FakeApiServer;
let kubeconfig: string;
let empty: string;

beforeAll(async () => {
  ({ api, kubeconfig } = await startApiServer());
  empty = await mkdtemp(join(tmpdir(), 'sluice-home-'));
});
afterAll(() => api.stop());

describe('loadKubeConfig', () => {
  const noToken = '/nonexistent/token';

  it('refuses, naming every place it looked, when there is no configuration at all', () => {
    expect(() => loadKubeConfig({ kubeconfig: undefined, env: {}, home: empty, tokenPath: noToken })).toThrow(KubeConfigError);
    expect(() => loadKubeConfig({ kubeconfig: undefined, env: {}, home: empty, tokenPath: noToken })).toThrow(/KUBERNETES_SERVICE_HOST.*--kubeconfig.*KUBECONFIG.*\.kube\/config.*--manifests/);
  });

  it('--kubeconfig wins; a missing file is an error naming it', () => {
    expect(loadKubeConfig({ kubeconfig, env: {}, home: empty, tokenPath: noToken }).origin).toContain(api.url);
    expect(() => loadKubeConfig({ kubeconfig: '/nope.yaml', env: {}, home: empty })).toThrow('--kubeconfig /nope.yaml: no such file');
  });

  it('then KUBECONFIG, then ~/.kube/config', async () => {
    expect(loadKubeConfig({ kubeconfig: undefined, env: { KUBECONFIG: kubeconfig }, home: empty, tokenPath: noToken }).origin).toMatch(/^KUBECONFIG/);
    const home = await mkdtemp(join(tmpdir(), 'sluice-home-'));
    await mkdir(join(home, '.kube'));
    await writeFile(join(home, '.kube', 'config'), await import('node:fs/promises').then((fs) => fs.readFile(kubeconfig, 'utf8')));
    expect(loadKubeConfig({ kubeconfig: undefined, env: {}, home, tokenPath: noToken }).origin).toContain(join(home, '.kube', 'config'));
  });
});

describe('node addresses for Ingress status', () => {
  // Pods and Nodes have a status subresource: creation clears status, so the kubelet's part is a status write.
  function pod(name: string, node: string, ready: boolean, labels: Record<string, string>): void {
    api.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ingress', labels }, spec: { nodeName: node, containers: [{ name: 'sluice', image: 'sluice' }] } });
    api.setStatus('Pod', 'ingress', name, { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] });
  }
  function node(name: string, addresses: { type: string; address: string }[]): void {
    api.apply({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    api.setStatus('Node', '', name, { addresses });
  }

  it('are the ExternalIP (else InternalIP) of the nodes running ready Sluice pods, across pod-template-hash', async () => {
    pod('sluice-a', 'n1', true, { app: 'sluice', 'pod-template-hash': 'aaa' });
    pod('sluice-b', 'n2', true, { app: 'sluice', 'pod-template-hash': 'bbb' });
    pod('sluice-c', 'n3', false, { app: 'sluice', 'pod-template-hash': 'bbb' }); // not ready
    pod('other', 'n4', true, { app: 'other' });
    node('n1', [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'ExternalIP', address: '198.51.100.1' }]);
    node('n2', [{ type: 'InternalIP', address: '10.0.0.2' }]);
    node('n3', [{ type: 'ExternalIP', address: '198.51.100.3' }]);
    node('n4', [{ type: 'ExternalIP', address: '198.51.100.4' }]);
    const { config } = loadKubeConfig({ kubeconfig, env: {} });
    const core = config.makeApiClient(CoreV1Api);
    expect(await nodeAddresses(core, { POD_NAME: 'sluice-a', POD_NAMESPACE: 'ingress' })).toEqual([{ ip: '10.0.0.2' }, { ip: '198.51.100.1' }]);
    await expect(nodeAddresses(core, {})).rejects.toThrow('POD_NAME and POD_NAMESPACE');
  });
});
