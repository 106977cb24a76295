// The primary's half of the update transport: what changed between the update the workers hold and the next
// one, per kind, so a worker is sent the one edited Ingress rather than a copy of 10 000 (snapshot-mirror.ts
// rebuilds the complete update from it). Sources still build complete updates; only this hop carries deltas.
//
// Compared by content, paid for by identity (json-by-identity.ts): sources keep the object of anything unchanged,
// so one walk over two sorted lists skips same references without a look inside and serialises only objects
// with a new identity. A relist (new objects, same content) and a resourceVersion-only change send nothing, by
// the rule the route updater uses to decide whether to recompile (withoutResourceVersion), so the two agree.
//
// Measured with bench/'s 10 000-Ingress, 1 000-Service table and 2 workers, old and new runs interleaved on a
// loaded machine. broadcast() → every worker applied, one EndpointSlice changed: 14–27 → 1.2–3.5 ms median
// (broadcast() itself 8.7–10.5 → 0.2–0.3 ms: it cloned all 1 000 slices for each worker). One Ingress changed:
// broadcast() 52–54 → 0.3–0.6 ms (the snapshot's stringify), the worker's decoding 53–60 → 0.4–0.6 ms median
// (its parse), leaving the worker's compile as the cost (≈230–330 ms then; 4–5 ms since the compile became
// incremental, router/compile-cache.ts). A relist (every object new) costs ≈50–115 ms, each object serialised once
// (shared with the route updater's comparison); an unchanged list (the sources keep it) nothing.
import {
  changedStretch,
  compareNames,
  type ConfigMap,
  type EndpointSlice,
  type Ingress,
  type IngressClass,
  type KubeObject,
  type ObjectName,
  type Secret,
  type Service,
  type SourceUpdate,
} from '../model/index.ts';
import { jsonByIdentity, withoutResourceVersion } from '../watch/json-by-identity.ts';

/** One kind's changes; both lists in compareNames order. */
export interface KindDelta<T> {
  /** Objects added, or changed in content: the new object. */
  readonly upserts: readonly T[];
  /** Keys (namespace/name) no longer present. */
  readonly removed: readonly ObjectName[];
}

export interface UpdateDelta {
  readonly ingresses: KindDelta<Ingress>;
  readonly ingressClasses: KindDelta<IngressClass>;
  readonly services: KindDelta<Service>;
  readonly secrets: KindDelta<Secret>;
  /** Absent: unchanged; null: it went away (or is no longer named). */
  readonly configMap?: ConfigMap | null;
  readonly endpointSlices: KindDelta<EndpointSlice>;
}

/** The Snapshot's lists, in the order a Snapshot declares them. */
export const snapshotKinds = ['ingresses', 'ingressClasses', 'services', 'secrets'] as const;

/** No change to anything compile reads: only endpoints moved (or nothing did). */
export function snapshotUnchanged(delta: UpdateDelta): boolean {
  return delta.configMap === undefined && snapshotKinds.every((kind) => isEmpty(delta[kind]));
}

export function isEmpty(delta: KindDelta<unknown>): boolean {
  return delta.upserts.length === 0 && delta.removed.length === 0;
}

const noChange: KindDelta<never> = Object.freeze({ upserts: Object.freeze([]), removed: Object.freeze([]) });

export class UpdateDeltas {
  /** Shared with the primary's route updater, which compares the same new objects first. */
  readonly #json = jsonByIdentity(withoutResourceVersion);
  #last: SourceUpdate | undefined;
  /** #last's lists are all in compareNames order (a delta against it can be walked). */
  #lastOrdered = false;

  /** The update the workers hold now (the last one passed to reset() or next()). */
  get last(): SourceUpdate | undefined {
    return this.#last;
  }

  /** Remembers `update` as held by the workers without a delta: they were sent it in full. */
  reset(update: SourceUpdate): void {
    this.#last = update;
    this.#lastOrdered = isOrdered(update);
  }

  /**
   * What changed since the last update, remembering `update` as the workers' next state. Null when a delta
   * cannot describe it (no previous update, or a list out of compareNames order, which only a source bug
   * produces): send it in full, so a worker still holds exactly what the source emitted.
   */
  next(update: SourceUpdate): UpdateDelta | null {
    const last = this.#last;
    this.#last = update;
    const delta = last === undefined || !this.#lastOrdered ? null : this.#diff(last, update);
    this.#lastOrdered = delta !== null || isOrdered(update);
    return delta;
  }

  #diff(before: SourceUpdate, after: SourceUpdate): UpdateDelta | null {
    const ingresses = this.#kind(before.snapshot.ingresses, after.snapshot.ingresses);
    const ingressClasses = this.#kind(before.snapshot.ingressClasses, after.snapshot.ingressClasses);
    const services = this.#kind(before.snapshot.services, after.snapshot.services);
    const secrets = this.#kind(before.snapshot.secrets, after.snapshot.secrets);
    const endpointSlices = this.#kind(before.endpointSlices, after.endpointSlices);
    if (ingresses === null || ingressClasses === null || services === null || secrets === null || endpointSlices === null) return null;
    const configMap = after.snapshot.configMap;
    const configMapSame = before.snapshot.configMap === configMap || (before.snapshot.configMap !== null && configMap !== null && this.#json.equal(before.snapshot.configMap, configMap));
    return { ingresses, ingressClasses, services, secrets, endpointSlices, ...(configMapSame ? {} : { configMap }) };
  }

  /**
   * One merge walk over the stretch where two sorted lists differ; null if `after` is out of order. The common
   * start and end are the same objects in the same places (changedStretch), in order since `before` was checked
   * when it arrived; the walk itself used to run over all of them: with 10 000 Ingresses and one edit, 0.2 ms
   * warm and 3–6 ms in the first changes after start, before the JIT had optimised it.
   */
  #kind<T extends KubeObject>(before: readonly T[], after: readonly T[]): KindDelta<T> | null {
    if (before === after) return noChange;
    const { start, end } = changedStretch(before, after);
    const beforeEnd = before.length - end;
    const afterEnd = after.length - end;
    const upserts: T[] = [];
    const removed: ObjectName[] = [];
    let i = start;
    let j = start;
    // after[j - 1] was before[i - 1]: then after[j] === before[i] is in order without a comparison.
    let previousKept = j > 0;
    while (j < afterEnd || i < beforeEnd) {
      const b = j < afterEnd ? after[j] : undefined;
      if (b !== undefined && j > 0 && !(previousKept && b === before[i]) && compareNames(after[j - 1]!.metadata, b.metadata) >= 0) return null;
      const a = i < beforeEnd ? before[i] : undefined;
      if (a === b) {
        previousKept = true;
        i++;
        j++;
        continue;
      }
      previousKept = false;
      const order = a === undefined ? 1 : b === undefined ? -1 : compareNames(a.metadata, b.metadata);
      if (order < 0) {
        removed.push({ namespace: a!.metadata.namespace, name: a!.metadata.name });
        i++;
      } else {
        if (order > 0 || !this.#json.equal(a, b)) upserts.push(b!);
        if (order === 0) i++;
        j++;
      }
    }
    // Where the changed stretch meets the common end.
    if (end > 0 && afterEnd > 0 && compareNames(after[afterEnd - 1]!.metadata, after[afterEnd]!.metadata) >= 0) return null;
    return upserts.length === 0 && removed.length === 0 ? noChange : { upserts, removed };
  }
}

function isOrdered(update: SourceUpdate): boolean {
  return [...snapshotKinds.map((kind) => update.snapshot[kind]), update.endpointSlices].every((list: readonly KubeObject[]) =>
    list.every((object, k) => k === 0 || compareNames(list[k - 1]!.metadata, object.metadata) < 0),
  );
}
