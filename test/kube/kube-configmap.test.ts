// The global ConfigMap from the Kubernetes API, through the real CLI and the real client-node against the fake API
// server: read from its own namespace (whatever --watch-namespace says) with a metadata.name field selector,
// absent = defaults (readiness does not wait for it), and ADDED / MODIFIED / DELETED applied live. A 403 on
// configmaps does not block readiness either: defaults, and the log names the missing rule.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoPod, type EchoPod } from '../../scripts/echo-pod.ts';
import type { FakeApiServer } from '../fake-apiserver/server.ts';
import type { GatewayProcess } from '../support/gateway-process.ts';
import { endpointSlices, ingress, service, type RawObject } from '../support/manifests.ts';
import { annotated } from '../e2e/annotations-fixture.ts';
import { applyAll, startApiServer, startKubeGateway } from './support.ts';

let api: FakeApiServer;
let kubeconfig: string;
let echo: EchoPod;
let gateway: GatewayProcess;
let http: string;

function configMap(data: Record<string, string>, name = 'sluice'): RawObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'sluice' }, data };
}

/** The 7th request in a row from one client address: the first one limit-rps 1 refuses. */
async function refusal(base: string, from: string): Promise<number> {
  const url = new URL(base);
  let status = 0;
  for (let i = 0; i < 7; i++) {
    status = await new Promise<number>((resolve, reject) => {
      const req = request({ hostname: url.hostname, port: url.port, path: '/', agent: false, localAddress: from, headers: { host: 'limited.test' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  }
  return status;
}

/** Applies a change through the API and waits for the routing table built from it. */
async function change(apply: () => void): Promise<void> {
  const generation = gateway.generation;
  apply();
  await gateway.waitForGeneration(generation);
}

beforeAll(async () => {
  echo = await startEchoPod('web', '127.0.0.2');
  ({ api, kubeconfig } = await startApiServer());
  applyAll(api, [
    service('web'),
    ...endpointSlices('web', [{ address: echo.address, port: echo.port }]),
    annotated(ingress('limited', [{ host: 'limited.test', paths: [{ path: '/', service: 'web' }] }]), { 'limit-rps': '1' }),
    configMap({ 'limit-req-status-code': '418' }, 'other'), // same namespace, another name: never read
  ]);
  // No `sluice` ConfigMap yet: the gateway must become ready on the defaults.
  ({ gateway, http } = await startKubeGateway(kubeconfig, ['--configmap', 'sluice/sluice', '--watch-namespace', 'default']));
});

afterAll(async () => {
  await gateway?.stop();
  await api?.stop();
  await echo?.close();
});

describe('the global ConfigMap from the Kubernetes API', () => {
  it('absent: ready, every setting at its default', async () => {
    expect(gateway.lines.some((l) => l.msg === 'kube: ConfigMap listed')).toBe(true);
    expect(await refusal(http, '127.0.20.1')).toBe(503);
  });

  it('ADDED, then MODIFIED, then DELETED: each applied live', async () => {
    await change(() => api.apply(configMap({ 'limit-req-status-code': '429' })));
    expect(await refusal(http, '127.0.20.2')).toBe(429);
    await change(() => api.apply(configMap({ 'limit-req-status-code': '599' })));
    expect(await refusal(http, '127.0.20.3')).toBe(599);
    // An invalid value through the API: reported on the ConfigMap's field, the previous value stays.
    await change(() => api.apply(configMap({ 'limit-req-status-code': 'many' })));
    expect(await gateway.waitForLog((l) => l['reason'] === 'ConfigMapValueInvalid')).toMatchObject({ object: 'ConfigMap sluice/sluice', field: 'data[limit-req-status-code]' });
    expect(await refusal(http, '127.0.20.4')).toBe(599);
    await change(() => api.remove('ConfigMap', 'sluice', 'sluice'));
    expect(await refusal(http, '127.0.20.5')).toBe(503);
  });
});

describe('RBAC forbids reading configmaps', () => {
  it('the gateway still becomes ready on the defaults, and the log names the missing rule', async () => {
    const { api: denied, kubeconfig: config } = await startApiServer();
    let other: GatewayProcess | undefined;
    try {
      denied.deny('configmaps', ['list', 'watch']);
      applyAll(denied, [service('web'), configMap({ 'limit-req-status-code': '429' })]);
      const started = await startKubeGateway(config, ['--configmap', 'sluice/sluice']);
      other = started.gateway;
      expect((await fetch(`${started.status}/readyz`)).status).toBe(200);
      const line = await other.waitForLog((l) => l['kind'] === 'ConfigMap' && typeof l['missingRule'] === 'string');
      expect(line['missingRule']).toContain('a Role in namespace "sluice"');
      expect(line['missingRule']).toContain('resources: ["configmaps"]');
    } finally {
      await other?.stop();
      await denied.stop();
    }
  });
});
