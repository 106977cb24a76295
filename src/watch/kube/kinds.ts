// The API resources the Kubernetes source reads: where each is listed and watched, and which RBAC rule reading
// it needs (named in the error when the API answers 403).
import { CoreV1Api, DiscoveryV1Api, type KubeConfig, type KubernetesObject, NetworkingV1Api } from '@kubernetes/client-node';
import type { ObjectKind } from '../../model/index.ts';
import type { ConfigMapRef } from '../normalize/index.ts';

export interface Page {
  readonly limit: number;
  readonly _continue?: string;
  readonly fieldSelector?: string;
}

export interface PageResult {
  readonly items: KubernetesObject[];
  readonly metadata?: { resourceVersion?: string; _continue?: string };
}

export interface KindSpec {
  readonly kind: ObjectKind;
  readonly apiVersion: string;
  readonly group: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /**
   * Optional kinds do not block readiness when RBAC forbids them: routes that need none of their objects are
   * still served (a 403 on Secrets must not take down plain-HTTP Ingresses), and the error names the rule.
   */
  readonly optional: boolean;
  /** Server-side filter; see secretSelector. */
  readonly fieldSelector?: string;
  /** Always read in this namespace, whatever --watch-namespace says (the global ConfigMap). */
  readonly namespace?: string;
  /** One page of the list; `namespace` undefined lists across all namespaces. */
  readonly list: (namespace: string | undefined, page: Page) => Promise<PageResult>;
}

/**
 * Only `kubernetes.io/tls` Secrets are read (the API server filters: Secrets support the `type` field selector),
 * so the cluster's other Secrets (tokens, passwords, registry credentials) are never held in this process's
 * memory. RBAC cannot express "only TLS Secrets": the role still needs list/watch on all secrets in the watched
 * namespaces; the selector limits what is transferred and kept, not what is permitted. An Ingress naming an
 * Opaque Secret in spec.tls therefore sees it as missing.
 */
export const secretSelector = 'type=kubernetes.io/tls';

export function watchPath(spec: KindSpec, namespace: string | undefined): string {
  const base = spec.group === '' ? '/api/v1' : `/apis/${spec.group}/v1`;
  return spec.namespaced && namespace !== undefined ? `${base}/namespaces/${encodeURIComponent(namespace)}/${spec.plural}` : `${base}/${spec.plural}`;
}

/**
 * The global ConfigMap (`--configmap`) is one named object: listed and watched in its namespace with the field
 * selector `metadata.name=<name>`, which is also what lets RBAC grant list/watch on that one ConfigMap by
 * resourceNames (deploy/rbac.yaml). A missing ConfigMap is an empty list, so readiness never waits for it (absent:
 * every setting at its default, as in ingress-nginx); a 403 is served the same way, with the error naming the rule.
 */
function configMapSpec(core: CoreV1Api, ref: ConfigMapRef): KindSpec {
  return {
    kind: 'ConfigMap', apiVersion: 'v1', group: '', plural: 'configmaps', namespaced: true, optional: true,
    namespace: ref.namespace, fieldSelector: `metadata.name=${ref.name}`,
    list: (_namespace, page) => core.listNamespacedConfigMap({ namespace: ref.namespace, ...page }),
  };
}

export function kindSpecs(config: KubeConfig, options: { readonly configMap?: ConfigMapRef | null } = {}): readonly KindSpec[] {
  const networking = config.makeApiClient(NetworkingV1Api);
  const core = config.makeApiClient(CoreV1Api);
  const discovery = config.makeApiClient(DiscoveryV1Api);
  return [
    {
      kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', group: 'networking.k8s.io', plural: 'ingresses', namespaced: true, optional: false,
      list: (namespace, page) => (namespace === undefined ? networking.listIngressForAllNamespaces(page) : networking.listNamespacedIngress({ namespace, ...page })),
    },
    {
      kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1', group: 'networking.k8s.io', plural: 'ingressclasses', namespaced: false, optional: false,
      list: (_namespace, page) => networking.listIngressClass(page),
    },
    {
      kind: 'Service', apiVersion: 'v1', group: '', plural: 'services', namespaced: true, optional: false,
      list: (namespace, page) => (namespace === undefined ? core.listServiceForAllNamespaces(page) : core.listNamespacedService({ namespace, ...page })),
    },
    {
      kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', group: 'discovery.k8s.io', plural: 'endpointslices', namespaced: true, optional: false,
      list: (namespace, page) => (namespace === undefined ? discovery.listEndpointSliceForAllNamespaces(page) : discovery.listNamespacedEndpointSlice({ namespace, ...page })),
    },
    {
      kind: 'Secret', apiVersion: 'v1', group: '', plural: 'secrets', namespaced: true, optional: true, fieldSelector: secretSelector,
      list: (namespace, page) => (namespace === undefined ? core.listSecretForAllNamespaces(page) : core.listNamespacedSecret({ namespace, ...page })),
    },
    ...(options.configMap == null ? [] : [configMapSpec(core, options.configMap)]),
  ];
}

/** The RBAC rule a 403 on this kind means is missing, in the words of a Role manifest. */
export function missingRule(spec: KindSpec, namespace: string | undefined): string {
  const scope = spec.namespaced && namespace !== undefined ? `a Role in namespace "${namespace}"` : 'a ClusterRole (bound cluster-wide)';
  return `${scope} with apiGroups: ["${spec.group}"], resources: ["${spec.plural}"], verbs: ["list", "watch"]`;
}
