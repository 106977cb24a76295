// Plain, source-independent shapes of the Kubernetes objects Sluice reads.
//
// Both sources (manifest files, the Kubernetes API) normalise into these shapes, so everything downstream is
// indifferent to where an object came from. Only the fields Sluice uses are kept; optional API fields keep
// their "absent" meaning (undefined) instead of being defaulted here, because the defaulting rules are part of
// the semantics that later stages implement and test (e.g. EndpointConditions: ready nil ⇒ true).

export type ObjectKind = 'Ingress' | 'IngressClass' | 'Service' | 'EndpointSlice' | 'Secret' | 'ConfigMap';

export interface ObjectMeta {
  readonly namespace: string; // '' for cluster-scoped kinds (IngressClass)
  readonly name: string;
  readonly uid: string; // '' when the source has none (manifest files)
  readonly resourceVersion: string; // '' when the source has none
  /** RFC 3339 timestamp; '' when absent. Orders Ingresses for "oldest wins" (then namespace/name). */
  readonly creationTimestamp: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** An object's key within its kind: no two objects of one kind in a SourceUpdate share it. */
export interface ObjectName {
  readonly namespace: string;
  readonly name: string;
}

/**
 * The one order of every list in a SourceUpdate: namespace, then name (UTF-16 code units). Both sources sort by
 * it, and the workers' snapshot mirror (src/workers/snapshot-mirror.ts) inserts by it, so a mirrored snapshot
 * equals the source's element by element. Not one `namespace/name` string: that orders 'a-b/x' before 'a/x'.
 */
export function compareNames(a: ObjectName, b: ObjectName): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export interface ObjectRef {
  readonly kind: ObjectKind;
  readonly namespace: string;
  readonly name: string;
}

// ---- networking.k8s.io/v1 Ingress ----------------------------------------------------------------

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface ServiceBackendPort {
  /** Exactly one of number / name is set in a valid object. */
  readonly number?: number;
  readonly name?: string;
}

export interface IngressServiceBackend {
  readonly name: string;
  readonly port: ServiceBackendPort;
}

export interface TypedLocalObjectReference {
  readonly apiGroup?: string;
  readonly kind: string;
  readonly name: string;
}

export interface IngressBackend {
  /** Exactly one of service / resource is set in a valid object. */
  readonly service?: IngressServiceBackend;
  readonly resource?: TypedLocalObjectReference;
}

export interface HTTPIngressPath {
  /** '' when absent (allowed only for ImplementationSpecific). */
  readonly path: string;
  readonly pathType: PathType;
  readonly backend: IngressBackend;
}

export interface IngressRule {
  /** '' when absent: the rule applies to every host no other rule claims. */
  readonly host: string;
  /** Empty when the rule has no `http` block. */
  readonly paths: readonly HTTPIngressPath[];
}

export interface IngressTLS {
  readonly hosts: readonly string[];
  /** '' when absent. */
  readonly secretName: string;
}

export interface IngressSpec {
  readonly ingressClassName?: string;
  readonly defaultBackend?: IngressBackend;
  readonly rules: readonly IngressRule[];
  readonly tls: readonly IngressTLS[];
}

export interface Ingress {
  readonly kind: 'Ingress';
  readonly metadata: ObjectMeta;
  readonly spec: IngressSpec;
}

// ---- networking.k8s.io/v1 IngressClass -----------------------------------------------------------

export interface IngressClass {
  readonly kind: 'IngressClass';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly controller: string;
  };
}

// ---- v1 Service ----------------------------------------------------------------------------------

export interface ServicePort {
  /** '' when absent (allowed for single-port Services). */
  readonly name: string;
  readonly port: number;
  /** Number, or a named container port; defaults to `port` when absent, as the API server does. */
  readonly targetPort: number | string;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface Service {
  readonly kind: 'Service';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** ClusterIP (default), NodePort, LoadBalancer or ExternalName. */
    readonly type: string;
    readonly ports: readonly ServicePort[];
    readonly externalName?: string;
  };
}

// ---- discovery.k8s.io/v1 EndpointSlice -----------------------------------------------------------

export type AddressType = 'IPv4' | 'IPv6' | 'FQDN';

export interface EndpointConditions {
  /** nil ⇒ true (API contract). Always false for terminating pods. */
  readonly ready?: boolean;
  /** nil ⇒ true. Pod readiness regardless of termination. */
  readonly serving?: boolean;
  /** nil ⇒ false. */
  readonly terminating?: boolean;
}

export interface Endpoint {
  readonly addresses: readonly string[];
  readonly conditions: EndpointConditions;
  readonly nodeName?: string;
  readonly zone?: string;
}

export interface EndpointPort {
  /** '' when absent; equals the ServicePort name. */
  readonly name: string;
  /** Resolved target port; undefined when absent ("all ports" in the API; ingress-nginx then uses targetPort). */
  readonly port?: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface EndpointSlice {
  readonly kind: 'EndpointSlice';
  readonly metadata: ObjectMeta;
  /** From the `kubernetes.io/service-name` label; '' when the label is missing. */
  readonly serviceName: string;
  readonly addressType: AddressType;
  readonly endpoints: readonly Endpoint[];
  readonly ports: readonly EndpointPort[];
}

// ---- v1 Secret -----------------------------------------------------------------------------------

export interface Secret {
  readonly kind: 'Secret';
  readonly metadata: ObjectMeta;
  readonly type: string;
  /** Base64-encoded values, as in the API (`stringData` is merged in by the source). Never log these. */
  readonly data: Readonly<Record<string, string>>;
}

// ---- v1 ConfigMap -------------------------------------------------------------------------------

/**
 * The global ConfigMap (`--configmap namespace/name`, ingress-nginx's flag): process-wide settings under
 * ingress-nginx's key names. Only that one ConfigMap is read; every other ConfigMap is ignored by both sources.
 */
export interface ConfigMap {
  readonly kind: 'ConfigMap';
  readonly metadata: ObjectMeta;
  /** String values, as in the API (`binaryData` is not read: no setting is binary). */
  readonly data: Readonly<Record<string, string>>;
}

export type KubeObject = Ingress | IngressClass | Service | EndpointSlice | Secret | ConfigMap;

export function refOf(object: KubeObject): ObjectRef {
  return { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
}

export function formatRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}
