// Test-only builders for model objects, for tests that are clearer in code than in YAML.
import type { Ingress, IngressBackend, PathType, Service, Snapshot } from '../../src/model/index.ts';

export interface PathInput {
  readonly path: string;
  readonly pathType: PathType;
  /** Service name; port 80 by number. */
  readonly service: string;
}

export interface IngressInput {
  readonly name: string;
  readonly namespace?: string;
  readonly created?: string;
  readonly rules?: readonly { readonly host?: string; readonly paths: readonly PathInput[] }[];
  readonly defaultBackend?: string;
}

export function serviceBackend(service: string): IngressBackend {
  return { service: { name: service, port: { number: 80 } } };
}

export function ingress(input: IngressInput): Ingress {
  return {
    kind: 'Ingress',
    metadata: meta(input.namespace ?? 'default', input.name, input.created ?? ''),
    spec: {
      ingressClassName: 'sluice',
      ...(input.defaultBackend === undefined ? {} : { defaultBackend: serviceBackend(input.defaultBackend) }),
      rules: (input.rules ?? []).map((rule) => ({
        host: rule.host ?? '',
        paths: rule.paths.map(({ path, pathType, service }) => ({ path, pathType, backend: serviceBackend(service) })),
      })),
      tls: [],
    },
  };
}

export function service(name: string, namespace = 'default'): Service {
  return {
    kind: 'Service',
    metadata: meta(namespace, name, ''),
    spec: { type: 'ClusterIP', ports: [{ name: '', port: 80, targetPort: 8080, protocol: 'TCP' }] },
  };
}

/** A snapshot holding the Ingresses plus a Service for every backend they name (so every route forwards). */
export function snapshotOf(ingresses: readonly Ingress[]): Snapshot {
  const names = new Set<string>();
  for (const item of ingresses) {
    const pathBackends = item.spec.rules.flatMap((rule) => rule.paths.map((path) => path.backend));
    const backends = [item.spec.defaultBackend, ...pathBackends];
    for (const backend of backends) {
      if (backend?.service !== undefined) names.add(`${item.metadata.namespace}/${backend.service.name}`);
    }
  }
  const services = [...names].map((key) => {
    const [namespace, name] = key.split('/') as [string, string];
    return service(name, namespace);
  });
  return { ingresses, ingressClasses: [], services, secrets: [], configMap: null };
}

function meta(namespace: string, name: string, creationTimestamp: string) {
  return { namespace, name, uid: '', resourceVersion: '', creationTimestamp, annotations: {}, labels: {} };
}
