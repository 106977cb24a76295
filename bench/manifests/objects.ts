// The Kubernetes objects the scenarios give Sluice: plain objects, turned into YAML manifest text (what
// `kubectl get -o yaml` users write) for the manifest-file source, and the atomic file replacement every file
// change uses (write a dotfile, rename it over: the manifest source skips dotfiles, so it never reads a
// half-written file).
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { stringify } from 'yaml';
import type { Pod } from '../targets/pods.ts';

/** A Kubernetes object as a manifest has it (and as the fake API server of the kube scenario stores it). */
export type RawObject = Record<string, unknown>;

export interface PathRoute {
  readonly path: string;
  readonly pathType?: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  readonly service: string;
}

export function service(name: string): RawObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80, protocol: 'TCP' }] } };
}

/** One slice holding every pod (they share a port), all ready. */
export function endpointSlice(serviceName: string, pods: readonly Pod[], sliceName = serviceName): RawObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: sliceName, namespace: 'default', labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    ports: [{ name: '', port: pods[0]!.port, protocol: 'TCP' }],
    endpoints: pods.map((pod) => ({ addresses: [pod.address], conditions: { ready: true } })),
  };
}

export function ingress(name: string, host: string, routes: readonly PathRoute[], annotations: Record<string, string> = {}, created = '2026-01-01T00:00:00Z'): RawObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', creationTimestamp: created, annotations },
    spec: {
      ingressClassName: 'sluice',
      rules: [
        {
          host,
          http: {
            paths: routes.map((r) => ({ path: r.path, pathType: r.pathType ?? 'Prefix', backend: { service: { name: r.service, port: { number: 80 } } } })),
          },
        },
      ],
    },
  };
}

/** A multi-document YAML manifest. */
export function manifest(objects: readonly RawObject[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/** Replaces `path` atomically (a reader sees the old or the new text, never a torn one). */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp`);
  await writeFile(temp, text);
  await rename(temp, path);
}
