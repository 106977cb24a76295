// The worker's half of the update transport: re-materialises the complete SourceUpdate the source emitted from
// the primary's deltas (update-delta.ts), so everything downstream still sees a complete, frozen Snapshot and the
// full list of EndpointSlices. Every object a delta does not name keeps its identity from the previous update,
// and an unchanged list or snapshot keeps its own: caches keyed by identity (the compile's, the endpoint store's,
// servedBy's per-snapshot class map) hit across updates inside a worker as they would in the primary.
import { patchSorted, searchByName, shareDecoded, type KubeObject, type Snapshot, type SourceUpdate } from '../model/index.ts';
import { isEmpty, snapshotUnchanged, type KindDelta, type UpdateDelta } from './update-delta.ts';

/**
 * A full update (the primary's JSON of it: a worker's first, or a replacement's), frozen like a source's. Freezing
 * 10 000 Ingresses and 1 000 slices adds ≈20 ms to the ≈30 ms parse (measured), once per worker start.
 */
export function parseFull(json: string): SourceUpdate {
  const update = JSON.parse(json) as SourceUpdate;
  // Equal values (empty maps, Service backends) shared as in the primary (model/shared-values.ts).
  const { snapshot } = update;
  for (const list of [snapshot.ingresses, snapshot.ingressClasses, snapshot.services, snapshot.secrets, update.endpointSlices]) {
    for (const object of list) shareDecoded(object);
  }
  return deepFreeze(update);
}

/**
 * `previous` with `delta` applied; what a delta leaves alone is the very same object as in `previous`. One changed
 * object in the 10 000-Ingress table: ≈0.1 ms, the structured clone included (measured in a worker).
 */
export function applyDelta(previous: SourceUpdate, delta: UpdateDelta): SourceUpdate {
  const snapshot = snapshotUnchanged(delta) ? previous.snapshot : applySnapshot(previous.snapshot, delta);
  const endpointSlices = applyKind(previous.endpointSlices, delta.endpointSlices);
  if (snapshot === previous.snapshot && endpointSlices === previous.endpointSlices) return previous;
  return Object.freeze({ snapshot, endpointSlices });
}

function applySnapshot(previous: Snapshot, delta: UpdateDelta): Snapshot {
  return Object.freeze({
    ingresses: applyKind(previous.ingresses, delta.ingresses),
    ingressClasses: applyKind(previous.ingressClasses, delta.ingressClasses),
    services: applyKind(previous.services, delta.services),
    secrets: applyKind(previous.secrets, delta.secrets),
    configMap: delta.configMap === undefined ? previous.configMap : delta.configMap === null ? null : deepFreeze(delta.configMap),
  });
}

/**
 * Binary-search replace, insert and remove on a copy, in compareNames order (the sources' order), not a re-sort:
 * an edit costs a search and a move of the list's tail. A key the delta removes but the list lacks means this
 * worker and the primary disagree, which no later delta can mend: throw, so the thread exits and is replaced by
 * one started from the full state (worker-main.ts).
 */
function applyKind<T extends KubeObject>(list: readonly T[], delta: KindDelta<T>): readonly T[] {
  if (isEmpty(delta)) return list;
  for (const object of delta.upserts) shareDecoded(object);
  const next = patchSorted(list, delta.removed, delta.upserts.map(deepFreeze), true);
  if (next !== undefined) return Object.freeze(next);
  const missing = delta.removed.find((name) => !searchByName(list, name).found);
  throw new Error(`update delta removes ${missing?.namespace}/${missing?.name}, which this worker does not hold`);
}

/** Frozen like a source's objects: no consumer can edit what the next update still shares. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const field of Object.values(value)) deepFreeze(field);
    Object.freeze(value);
  }
  return value;
}
