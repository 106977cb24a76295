// Every rebuild starts here, from the complete contents of every informer's cache: no patching, so an update
// never carries a leftover of an earlier one. Objects go through the same normaliser as manifest files.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ConfigMap, Diagnostic, EndpointSlice, Ingress, IngressClass, KubeObject, ObjectKind, ObjectMeta, Secret, Service, SourceUpdate } from '../../model/index.ts';
import { compareNames } from '../../model/index.ts';
import { normalizeObject, type NormalizeOptions, type NormalizeResult } from '../normalize/index.ts';

// ListWatch replaces an object on every change, so the raw object's identity is a version: normalising is
// memoised by it, and an EndpointSlice-only change does not re-read every Ingress.
const normalized = new WeakMap<object, NormalizeResult>();

function normalize(raw: KubernetesObject, kind: ObjectKind, apiVersion: string, options: NormalizeOptions): NormalizeResult {
  let result = normalized.get(raw);
  if (result === undefined) {
    // Watch events carry kind/apiVersion and list items get them in the lister; fill them in regardless.
    result = normalizeObject({ ...raw, kind: raw.kind ?? kind, apiVersion: raw.apiVersion ?? apiVersion }, options);
    normalized.set(raw, result);
  }
  return result;
}

function byIdentity(a: { metadata: ObjectMeta }, b: { metadata: ObjectMeta }): number {
  return compareNames(a.metadata, b.metadata);
}

function sorted<T extends KubeObject>(objects: T[]): readonly T[] {
  return Object.freeze(objects.sort(byIdentity));
}

export interface KindObjects {
  readonly kind: ObjectKind;
  readonly apiVersion: string;
  readonly objects: readonly KubernetesObject[];
}

/** `options.configMap`: the one ConfigMap read (the informer's field selector already asks for only that one). */
export function buildUpdate(kinds: readonly KindObjects[], options: NormalizeOptions = {}): { update: SourceUpdate; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const byKind = {
    Ingress: [] as Ingress[], IngressClass: [] as IngressClass[], Service: [] as Service[], EndpointSlice: [] as EndpointSlice[], Secret: [] as Secret[],
    ConfigMap: [] as ConfigMap[],
  };
  for (const { kind, apiVersion, objects } of kinds) {
    for (const raw of objects) {
      const result = normalize(raw, kind, apiVersion, options);
      if ('object' in result && result.object.kind === kind) (byKind[kind] as KubeObject[]).push(result.object);
      else if ('error' in result) diagnostics.push(invalid(result, kind));
    }
  }
  const snapshot = Object.freeze({
    ingresses: sorted(byKind.Ingress),
    ingressClasses: sorted(byKind.IngressClass),
    services: sorted(byKind.Service),
    secrets: sorted(byKind.Secret),
    configMap: byKind.ConfigMap[0] ?? null,
  });
  return { update: Object.freeze({ snapshot, endpointSlices: sorted(byKind.EndpointSlice) }), diagnostics };
}

function invalid(result: { error: string; field: string; ref?: Diagnostic['object'] }, kind: ObjectKind): Diagnostic {
  return {
    severity: 'Error',
    reason: 'InvalidObject',
    ...(result.ref && { object: result.ref }),
    field: result.field,
    message: `${result.ref ? '' : `a ${kind}: `}${result.error}; the object is skipped`,
  };
}
