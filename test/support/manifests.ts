// Builders for the Kubernetes objects end-to-end tests write into manifest files. They produce the YAML a
// user would write (apiVersion/kind/metadata/spec), serialised with the yaml package.
import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export type RawObject = Record<string, unknown>;

export function service(name: string, port = 80, namespace = 'default'): RawObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ports: [{ port, targetPort: port, protocol: 'TCP' }] },
  };
}

export interface PodAddress {
  address: string;
  port: number;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

/** One slice per pod: pods in tests listen on ephemeral ports, and a slice carries a single port set. */
export function endpointSlices(serviceName: string, pods: readonly PodAddress[], namespace = 'default'): RawObject[] {
  return pods.map((pod, index) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${serviceName}-${index}`, namespace, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    ports: [{ name: '', port: pod.port, protocol: 'TCP' }],
    endpoints: [
      {
        addresses: [pod.address],
        conditions: { ready: pod.ready ?? true, serving: pod.serving ?? true, terminating: pod.terminating ?? false },
      },
    ],
  }));
}

export interface PathSpec {
  path: string;
  pathType?: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  service: string;
  port?: number;
}

export function ingress(
  name: string,
  rules: ReadonlyArray<{ host?: string; paths: readonly PathSpec[] }>,
  extra: { ingressClassName?: string; namespace?: string; creationTimestamp?: string } = {},
): RawObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name,
      namespace: extra.namespace ?? 'default',
      ...(extra.creationTimestamp ? { creationTimestamp: extra.creationTimestamp } : {}),
    },
    spec: {
      ingressClassName: extra.ingressClassName ?? 'sluice',
      rules: rules.map((rule) => ({
        ...(rule.host ? { host: rule.host } : {}),
        http: {
          paths: rule.paths.map((p) => ({
            path: p.path,
            pathType: p.pathType ?? 'Prefix',
            backend: { service: { name: p.service, port: { number: p.port ?? 80 } } },
          })),
        },
      })),
    },
  };
}

export function toYaml(objects: readonly RawObject[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

export async function tempManifestDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sluice-e2e-'));
}

/** Replaces a file atomically (write + rename), as editors and `kubectl`-style tools do. */
export async function writeManifest(dir: string, file: string, content: string): Promise<void> {
  const temp = join(dir, `.${file}.tmp`);
  await writeFile(temp, content);
  await rename(temp, join(dir, file));
}
