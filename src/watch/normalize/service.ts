import type { Service, ServicePort } from '../../model/index.ts';
import { FieldError, at, child, compact, fields, isPortName, list, optFields, optOneOf, optPort, optString, reqPort } from './fields.ts';
import { normalizeMeta } from './metadata.ts';

// v1 Service, with the API server's defaults applied (type ClusterIP, protocol TCP, targetPort = port), so
// that compile sees the same values whether the object came from a file or from a cluster.

const serviceTypes = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
export const protocols = ['TCP', 'UDP', 'SCTP'] as const;

export function normalizeService(raw: Readonly<Record<string, unknown>>): Service {
  const metadata = normalizeMeta(raw['metadata'], true, 'dns1035');
  const spec = optFields(raw['spec'], 'spec') ?? {};
  const type = optOneOf(spec['type'], serviceTypes, 'spec.type') ?? 'ClusterIP';
  const externalName = optString(spec['externalName'], 'spec.externalName');
  if (type === 'ExternalName' && !externalName) throw new FieldError('spec.externalName', 'required for type ExternalName');
  const ports = list(spec['ports'], 'spec.ports').map((p, i) => servicePort(p, at('spec.ports', i)));
  // The API requires names on multi-port Services: backends and EndpointSlice ports are matched by name.
  ports.forEach((p, i) => {
    if (ports.length > 1 && p.name === '') {
      throw new FieldError(child(at('spec.ports', i), 'name'), 'required when the Service has more than one port');
    }
  });
  return { kind: 'Service', metadata, spec: compact({ type, ports, externalName }) };
}

function servicePort(raw: unknown, path: string): ServicePort {
  const p = fields(raw, path);
  const port = reqPort(p['port'], child(path, 'port'));
  return {
    name: optString(p['name'], child(path, 'name')) ?? '',
    port,
    targetPort: targetPort(p['targetPort'], child(path, 'targetPort')) ?? port,
    protocol: optOneOf(p['protocol'], protocols, child(path, 'protocol')) ?? 'TCP',
  };
}

/** IntOrString: a port number, or the name of a container port. */
function targetPort(value: unknown, path: string): number | string | undefined {
  if (typeof value !== 'string') return optPort(value, path);
  if (!isPortName(value)) {
    throw new FieldError(path, 'must be a port number (unquoted) or a port name (lower-case, ≤15 chars, with a letter)');
  }
  return value;
}
