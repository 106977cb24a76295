// The resource types the fake API server serves, as the real one registers them: a URL plural under an API
// group/version, a kind, a scope, and whether `status` is a subresource (then the main resource ignores status
// writes and `/status` ignores everything else — API conventions, "Spec and Status").

export interface ResourceType {
  readonly group: string; // '' = the core group, served under /api
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly statusSubresource: boolean;
  /** Field selector labels beyond metadata.name / metadata.namespace (each type registers its own). */
  readonly fieldLabels: Readonly<Record<string, (object: KubeJson) => string>>;
}

export type KubeJson = Record<string, unknown> & { metadata: Record<string, unknown> };

function field(path: string): (object: KubeJson) => string {
  return (object) => {
    let value: unknown = object;
    for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    return typeof value === 'string' ? value : '';
  };
}

export const resourceTypes: readonly ResourceType[] = [
  { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress', namespaced: true, statusSubresource: true, fieldLabels: {} },
  { group: 'networking.k8s.io', version: 'v1', plural: 'ingressclasses', kind: 'IngressClass', namespaced: false, statusSubresource: false, fieldLabels: {} },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true, statusSubresource: true, fieldLabels: { 'spec.clusterIP': field('spec.clusterIP'), 'spec.type': field('spec.type') } },
  { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true, statusSubresource: false, fieldLabels: { addressType: field('addressType') } },
  // Secrets accept `type` as a field selector (pkg/registry/core/secret/strategy.go SelectableFields).
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, statusSubresource: false, fieldLabels: { type: field('type') } },
  // ConfigMaps select on metadata.name / metadata.namespace only (the generic fields; no type-specific ones).
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, statusSubresource: false, fieldLabels: {} },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true, statusSubresource: true, fieldLabels: { 'spec.nodeName': field('spec.nodeName'), 'status.phase': field('status.phase') } },
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false, statusSubresource: true, fieldLabels: {} },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, statusSubresource: false, fieldLabels: { 'involvedObject.name': field('involvedObject.name'), 'involvedObject.kind': field('involvedObject.kind'), reason: field('reason'), type: field('type') } },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true, statusSubresource: false, fieldLabels: {} },
];

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

export function resourceByKind(kind: string): ResourceType {
  const type = resourceTypes.find((t) => t.kind === kind);
  if (type === undefined) throw new Error(`fake API server: unknown kind ${kind}`);
  return type;
}

/** The resource a URL path's group/version/plural names, or undefined (→ 404). */
export function resourceByPath(group: string, version: string, plural: string): ResourceType | undefined {
  return resourceTypes.find((t) => t.group === group && t.version === version && t.plural === plural);
}
