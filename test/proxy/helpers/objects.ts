// Model objects for proxy tests: BackendTargets and real EndpointSlice values, as the source would hand them over.
import type { BackendTarget, Endpoint, EndpointSlice, ServicePort } from '../../../src/model/index.ts';

export function servicePort(overrides: Partial<ServicePort> = {}): ServicePort {
  return { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', ...overrides };
}

export function backend(service: string, port: ServicePort = servicePort(), namespace = 'default'): BackendTarget {
  return { key: `${namespace}/${service}:${port.name || port.port}`, namespace, service, servicePort: port };
}

export interface EndpointSpec {
  readonly ip: string;
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
  /** More addresses after `ip` (only the first may be used). */
  readonly more?: readonly string[];
}

export interface SliceSpec {
  readonly service: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly addressType?: EndpointSlice['addressType'];
  /** Slice ports; default one port named 'http' with `port`. */
  readonly ports?: EndpointSlice['ports'];
  readonly port?: number;
  readonly endpoints: readonly (EndpointSpec | string)[];
}

let counter = 0;

export function slice(spec: SliceSpec): EndpointSlice {
  const endpoints: Endpoint[] = spec.endpoints.map((e) => {
    const s: EndpointSpec = typeof e === 'string' ? { ip: e } : e;
    const conditions = { ready: s.ready, serving: s.serving, terminating: s.terminating };
    for (const key of Object.keys(conditions) as (keyof typeof conditions)[]) {
      if (conditions[key] === undefined) delete conditions[key];
    }
    return { addresses: [s.ip, ...(s.more ?? [])], conditions };
  });
  return {
    kind: 'EndpointSlice',
    metadata: {
      namespace: spec.namespace ?? 'default',
      name: spec.name ?? `${spec.service}-${++counter}`,
      uid: '',
      resourceVersion: '',
      creationTimestamp: '',
      annotations: {},
      labels: { 'kubernetes.io/service-name': spec.service },
    },
    serviceName: spec.service,
    addressType: spec.addressType ?? 'IPv4',
    endpoints,
    ports: spec.ports ?? [{ name: 'http', port: spec.port ?? 8080, protocol: 'TCP' }],
  };
}
