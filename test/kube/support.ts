// Shared setup for tests of the Kubernetes source: a fake API server over real HTTP, a kubeconfig pointing at
// it, and the real CLI started against it.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer, type FakeApiServerOptions } from '../fake-apiserver/server.ts';
import { GatewayProcess, startGateway } from '../support/gateway-process.ts';
import type { RawObject } from '../support/manifests.ts';

export interface KubeGateway {
  gateway: GatewayProcess;
  http: string;
  status: string;
}

export async function startApiServer(options: FakeApiServerOptions = {}): Promise<{ api: FakeApiServer; kubeconfig: string; dir: string }> {
  const api = new FakeApiServer(options);
  await api.start();
  const dir = await mkdtemp(join(tmpdir(), 'sluice-kube-'));
  const kubeconfig = await api.writeKubeconfig(dir);
  return { api, kubeconfig, dir };
}

export function startKubeGateway(kubeconfig: string, args: readonly string[] = []): Promise<KubeGateway> {
  return startGateway(['--kubeconfig', kubeconfig, ...args]);
}

/** Waits for the source's next complete update after `after` ('kube: update' log lines carry a generation). */
/**
 * Resolves once the source delivered an update newer than `after` AND every worker serves it: the source logs
 * 'kube: update' before the primary hands the update to the worker threads, and the primary logs 'source update
 * applied' (debug) once all of them have (its count equals the source's generation: one per delivery).
 */
export async function waitForKubeUpdate(gateway: GatewayProcess, after: number, timeoutMs = 15_000) {
  const line = await gateway.waitForLog((l) => l.msg === 'kube: update' && (l['generation'] as number) > after, timeoutMs);
  await gateway.waitForLog((l) => l.msg === 'source update applied' && (l['updates'] as number) >= (line['generation'] as number), timeoutMs);
  return line;
}

export function kubeGeneration(gateway: GatewayProcess): number {
  const updates = gateway.lines.filter((l) => l.msg === 'kube: update');
  return updates.length === 0 ? 0 : (updates.at(-1)!['generation'] as number);
}

export function applyAll(api: FakeApiServer, objects: readonly RawObject[]): void {
  for (const object of objects) api.apply(object);
}

export function tlsSecret(name: string, namespace = 'default'): RawObject {
  // Not a valid certificate: the source only carries Secrets; parsing them is the TLS stage's job.
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' } };
}

export function opaqueSecret(name: string, namespace = 'default'): RawObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', data: { password: 'aHVudGVyMg==' } };
}

export function ingressClass(name: string, controller = 'sluice.dev/ingress-controller'): RawObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name }, spec: { controller } };
}
