// Values many objects hold equal copies of, shared as one frozen object: empty label and annotation maps (most
// objects have none: bench/'s 10k table, 12 000 objects), an Ingress's empty tls list, and Service backends
// (shared-backends.ts). ≈0.7 MB of live heap in each thread holding that table.
//
// Both ends of the update transport share them: the sources when they normalise (the primary), and a worker on
// what it decodes from the primary's JSON or deltas, before freezing it (JSON and structured clone copy objects).
import type { IngressBackend, KubeObject } from './objects.ts';
import { sharedBackend } from './shared-backends.ts';

const emptyMap: Readonly<Record<string, string>> = Object.freeze({});
const emptyList: readonly never[] = Object.freeze([]);

/** `map`, or the shared empty map when it has no key. */
export function sharedIfEmptyMap(map: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  for (const _ in map) return map;
  return emptyMap;
}

/** `list`, or the shared empty list when it has no item. */
export function sharedIfEmptyList<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? emptyList : list;
}

type Decoded = { metadata: { annotations: Record<string, string>; labels: Record<string, string> } };
type DecodedIngress = Decoded & { spec: { defaultBackend?: IngressBackend; tls: readonly unknown[]; rules: readonly { paths: readonly { backend: IngressBackend }[] }[] } };

/** Replaces, in place, what a decoded (not yet frozen) object holds that has a shared equal. */
export function shareDecoded(object: KubeObject): void {
  const decoded = object as unknown as Decoded;
  decoded.metadata.annotations = sharedIfEmptyMap(decoded.metadata.annotations) as Record<string, string>;
  decoded.metadata.labels = sharedIfEmptyMap(decoded.metadata.labels) as Record<string, string>;
  if (object.kind !== 'Ingress') return;
  const spec = (object as unknown as DecodedIngress).spec;
  spec.tls = sharedIfEmptyList(spec.tls);
  if (spec.defaultBackend !== undefined) spec.defaultBackend = sharedBackend(spec.defaultBackend);
  for (const rule of spec.rules) for (const path of rule.paths) (path as { backend: IngressBackend }).backend = sharedBackend(path.backend);
}
