import type { KubeObject, ObjectKind, ObjectRef } from '../../model/index.ts';
import { normalizeConfigMap } from './configmap.ts';
import { normalizeEndpointSlice } from './endpoint-slice.ts';
import { FieldError, type Fields } from './fields.ts';
import { normalizeIngress, normalizeIngressClass } from './ingress.ts';
import { namespaceOf } from './metadata.ts';
import { normalizeSecret } from './secret.ts';
import { normalizeService } from './service.ts';

// The one translation from raw Kubernetes JSON (a manifest document, or a client-node object, which uses the
// same field names) to the model shapes. Both sources call it, so a file and a cluster yield identical objects.

export type NormalizeResult =
  | { readonly object: KubeObject }
  /** Not a kind Sluice reads; the value names it (`ConfigMap`, or `Service (serving.knative.dev/v1)`). */
  | { readonly ignored: string }
  /** `error` is one line naming the field (`spec.rules[0].http.paths[1].pathType: required`). */
  | { readonly error: string; readonly field: string; readonly ref?: ObjectRef };

interface KindSpec {
  /** The only apiVersion read. */
  readonly apiVersion: string;
  /** API groups Kubernetes has served this kind from; another group means another kind with the same name. */
  readonly groups: readonly string[];
  readonly namespaced: boolean;
  readonly normalize: (raw: Fields) => KubeObject;
}

const kinds: Readonly<Record<ObjectKind, KindSpec>> = {
  Ingress: { apiVersion: 'networking.k8s.io/v1', groups: ['networking.k8s.io', 'extensions'], namespaced: true, normalize: normalizeIngress },
  IngressClass: { apiVersion: 'networking.k8s.io/v1', groups: ['networking.k8s.io'], namespaced: false, normalize: normalizeIngressClass },
  Service: { apiVersion: 'v1', groups: [''], namespaced: true, normalize: normalizeService },
  EndpointSlice: { apiVersion: 'discovery.k8s.io/v1', groups: ['discovery.k8s.io'], namespaced: true, normalize: normalizeEndpointSlice },
  Secret: { apiVersion: 'v1', groups: [''], namespaced: true, normalize: normalizeSecret },
  ConfigMap: { apiVersion: 'v1', groups: [''], namespaced: true, normalize: normalizeConfigMap },
};

/** namespace/name of the one ConfigMap Sluice reads (`--configmap`). */
export interface ConfigMapRef {
  readonly namespace: string;
  readonly name: string;
}

export interface NormalizeOptions {
  /**
   * The global ConfigMap. Every other ConfigMap is ignored like a kind Sluice does not read, so an unrelated
   * ConfigMap in a manifest directory can neither be reported as invalid nor take the global one's place.
   */
  readonly configMap?: ConfigMapRef | null;
}

function kindSpec(kind: string): KindSpec | undefined {
  return Object.hasOwn(kinds, kind) ? kinds[kind as ObjectKind] : undefined;
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Never throws: every problem with `raw` comes back as `{ error }`. The result is deeply frozen. */
export function normalizeObject(raw: unknown, options: NormalizeOptions = {}): NormalizeResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { error: 'must be an object', field: '' };
  const fields = raw as Fields;
  const kind = fields['kind'];
  const apiVersion = fields['apiVersion'];
  if (typeof kind !== 'string' || kind === '') return { error: 'kind: required', field: 'kind' };
  if (typeof apiVersion !== 'string' || apiVersion === '') return { error: 'apiVersion: required', field: 'apiVersion' };
  const spec = kindSpec(kind);
  if (spec === undefined) return { ignored: kind };
  if (!spec.groups.includes(groupOf(apiVersion))) return { ignored: `${kind} (${apiVersion})` };
  const ref = refOfRaw(kind as ObjectKind, fields['metadata'], spec.namespaced);
  if (kind === 'ConfigMap' && !isConfigMap(ref, options.configMap)) return { ignored: kind };
  if (apiVersion !== spec.apiVersion) {
    const error = `apiVersion: ${kind} ${JSON.stringify(apiVersion.slice(0, 64))} is not read; only ${spec.apiVersion} is supported`;
    return withRef({ error, field: 'apiVersion' }, ref);
  }
  try {
    return { object: deepFreeze(spec.normalize(fields)) };
  } catch (err: unknown) {
    if (err instanceof FieldError) return withRef({ error: err.message, field: err.field }, ref);
    // A bug in a normaliser must still not take the source down; say so plainly.
    return withRef({ error: `internal error while reading the object: ${String(err)}`, field: '' }, ref);
  }
}

/** The identity of a possibly invalid object, when it has a name: diagnostics point at it. */
function refOfRaw(kind: ObjectKind, meta: unknown, namespaced: boolean): ObjectRef | undefined {
  const name = typeof meta === 'object' && meta !== null ? (meta as Fields)['name'] : undefined;
  if (typeof name !== 'string' || name === '') return undefined;
  return { kind, namespace: namespaceOf(meta, namespaced), name };
}

function isConfigMap(ref: ObjectRef | undefined, wanted: ConfigMapRef | null | undefined): boolean {
  return wanted != null && ref !== undefined && ref.namespace === wanted.namespace && ref.name === wanted.name;
}

function withRef(result: { error: string; field: string }, ref: ObjectRef | undefined): NormalizeResult {
  return ref === undefined ? result : { ...result, ref };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const maxListDepth = 4;

/**
 * Expands `kind: List` and typed lists (`IngressList`, …) into their items, recursively (bounded), keeping each
 * item's position for diagnostics (`items[3]`). Items of a typed list inherit its kind and apiVersion when they
 * omit them, as the API serves typed lists that way. A non-list is returned as the single item with field ''.
 */
export function expandList(raw: unknown, field = '', depth = 0): { raw: unknown; field: string }[] {
  if (typeof raw !== 'object' || raw === null || depth >= maxListDepth) return [{ raw, field }];
  const { kind, apiVersion, items } = raw as Fields;
  if (typeof kind !== 'string' || !kind.endsWith('List') || !Array.isArray(items)) return [{ raw, field }];
  const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
  return items.flatMap((item: unknown, i) => {
    const itemField = `${field ? `${field}.` : ''}items[${i}]`;
    const filled = itemKind !== undefined && typeof item === 'object' && item !== null && !Array.isArray(item)
      ? { kind: itemKind, apiVersion, ...(item as Fields) }
      : item;
    return expandList(filled, itemField, depth + 1);
  });
}
