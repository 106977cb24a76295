// Test builders for the update transport: model objects of every kind, keyed by namespace/name, whose content
// is one `value` string (so a test can say "same content, new object" or "changed content"), and complete
// SourceUpdates built the way sources build them (sorted by compareNames, frozen).
import {
  compareNames,
  type ConfigMap,
  type EndpointSlice,
  type Ingress,
  type IngressClass,
  type KubeObject,
  type ObjectMeta,
  type Secret,
  type Service,
  type SourceUpdate,
} from '../../src/model/index.ts';
import { parseFull, applyDelta } from '../../src/workers/snapshot-mirror.ts';
import { UpdateDeltas, type UpdateDelta } from '../../src/workers/update-delta.ts';

export type ListKind = 'ingresses' | 'ingressClasses' | 'services' | 'secrets' | 'endpointSlices';
export const listKinds: readonly ListKind[] = ['ingresses', 'ingressClasses', 'services', 'secrets', 'endpointSlices'];

function meta(namespace: string, name: string, resourceVersion: string): ObjectMeta {
  return { namespace, name, uid: `uid-${namespace}-${name}`, resourceVersion, creationTimestamp: '', annotations: {}, labels: {} };
}

/** An object of `kind` at namespace/name whose content is `value` (cluster-scoped IngressClass: namespace ''). */
export function object(kind: ListKind, namespace: string, name: string, value: string, resourceVersion = '1'): KubeObject {
  const m = meta(kind === 'ingressClasses' ? '' : namespace, name, resourceVersion);
  const built: KubeObject =
    kind === 'ingresses'
      ? ({ kind: 'Ingress', metadata: m, spec: { rules: [{ host: `${value}.test`, paths: [] }], tls: [] } } satisfies Ingress)
      : kind === 'ingressClasses'
        ? ({ kind: 'IngressClass', metadata: m, spec: { controller: value } } satisfies IngressClass)
        : kind === 'services'
          ? ({ kind: 'Service', metadata: m, spec: { type: value, ports: [] } } satisfies Service)
          : kind === 'secrets'
            ? ({ kind: 'Secret', metadata: m, type: 'Opaque', data: { value } } satisfies Secret)
            : ({
                kind: 'EndpointSlice',
                metadata: m,
                serviceName: name,
                addressType: 'IPv4',
                endpoints: [{ addresses: [value], conditions: { ready: true } }],
                ports: [{ name: '', port: 80, protocol: 'TCP' }],
              } satisfies EndpointSlice);
  return deepFreeze(built);
}

export function configMap(value: string, resourceVersion = '1'): ConfigMap {
  return deepFreeze({ kind: 'ConfigMap', metadata: meta('ingress', 'sluice', resourceVersion), data: { value } });
}

export interface Lists {
  readonly ingresses?: readonly KubeObject[];
  readonly ingressClasses?: readonly KubeObject[];
  readonly services?: readonly KubeObject[];
  readonly secrets?: readonly KubeObject[];
  readonly endpointSlices?: readonly KubeObject[];
  readonly configMap?: ConfigMap | null;
}

/** A complete update as a source emits it: every list sorted by compareNames, all frozen. */
export function sourceUpdate(lists: Lists): SourceUpdate {
  const sorted = <T extends KubeObject>(objects: readonly KubeObject[] | undefined): readonly T[] =>
    Object.freeze([...((objects ?? []) as T[])].sort((a, b) => compareNames(a.metadata, b.metadata)));
  return Object.freeze({
    snapshot: Object.freeze({
      ingresses: sorted<Ingress>(lists.ingresses),
      ingressClasses: sorted<IngressClass>(lists.ingressClasses),
      services: sorted<Service>(lists.services),
      secrets: sorted<Secret>(lists.secrets),
      configMap: lists.configMap ?? null,
    }),
    endpointSlices: sorted<EndpointSlice>(lists.endpointSlices),
  });
}

export function listOf(update: SourceUpdate, kind: ListKind): readonly KubeObject[] {
  return kind === 'endpointSlices' ? update.endpointSlices : update.snapshot[kind];
}

/**
 * The primary and one worker, without the thread: deltas are structured-cloned as postMessage does, so the worker
 * side sees new objects exactly as a real worker does.
 */
export class Link {
  readonly deltas = new UpdateDeltas();
  worker: SourceUpdate;
  lastDelta: UpdateDelta | null = null;

  constructor(first: SourceUpdate) {
    this.deltas.reset(first);
    this.worker = parseFull(JSON.stringify(first));
  }

  send(update: SourceUpdate): UpdateDelta | null {
    this.lastDelta = this.deltas.next(update);
    this.worker = this.lastDelta === null ? parseFull(JSON.stringify(update)) : applyDelta(this.worker, structuredClone(this.lastDelta));
    return this.lastDelta;
  }
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const field of Object.values(value)) deepFreeze(field);
    Object.freeze(value);
  }
  return value;
}

export function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}
