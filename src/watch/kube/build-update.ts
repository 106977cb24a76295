// Every rebuild starts here, from the complete contents of every informer's cache: no patching, so an update
// never carries a leftover of an earlier one. Objects go through the same normaliser as manifest files.
//
// Complete, but not rebuilt from nothing. A kind whose informer holds the very same objects as at the last
// rebuild keeps its list (the same frozen array), so an EndpointSlice change leaves the 10 000 Ingresses' list,
// the snapshot and everything downstream keyed by their identity untouched. A kind that changed is compared with
// the last rebuild's objects (the informer's cache keeps its order; an edit replaces one object in place), and
// the objects that came and went are moved in or out of the sorted list (model/sorted-objects.ts), which then
// equals what sorting every object again would give. With bench/'s 10 000-Ingress table one edited Ingress cost
// the rebuild 2.4–3.7 ms warm and 15 ms cold when every list was normalised from the memo and sorted again.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ConfigMap, Diagnostic, EndpointSlice, Ingress, IngressClass, KubeObject, ObjectKind, Secret, Service, SourceUpdate } from '../../model/index.ts';
import { changedStretch } from '../../model/index.ts';
import { normalizeObject, type NormalizeOptions, type NormalizeResult } from '../normalize/index.ts';
import { editedList, hasDuplicateNames, sortedList, tooManyEdits, updateOf } from '../source-lists.ts';

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

export interface KindObjects {
  readonly kind: ObjectKind;
  readonly apiVersion: string;
  /** The informer's objects now; called only when the revision moved. */
  readonly objects: () => readonly KubernetesObject[];
  /** Moves whenever the objects do (KindInformer.revision); absent: read every time. */
  readonly revision?: number;
}

/** One kind of the last rebuild: the informer's objects then, and what they made. */
interface KindView {
  readonly revision: number | undefined;
  readonly raw: readonly KubernetesObject[];
  /** The objects of the kind, sorted by compareNames and frozen. */
  readonly objects: readonly KubeObject[];
  /** The first object in the informer's order (the ConfigMap: its informer selects the one by name). */
  readonly first: KubeObject | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** Two objects share a name (two raw objects normalised alike): never edited, since a name is then ambiguous. */
  readonly duplicates: boolean;
}

const noObjects: readonly KubeObject[] = Object.freeze([]);

/**
 * Builds each complete update from the informers' objects (one entry per kind), reusing the last update's lists,
 * snapshot and update objects wherever nothing of theirs changed.
 */
export class UpdateBuilder {
  readonly #options: NormalizeOptions;
  #views = new Map<ObjectKind, KindView>();
  #last: SourceUpdate | undefined;

  constructor(options: NormalizeOptions = {}) {
    this.#options = options;
  }

  build(kinds: readonly KindObjects[]): { update: SourceUpdate; diagnostics: Diagnostic[] } {
    const diagnostics: Diagnostic[] = [];
    const views = new Map<ObjectKind, KindView>();
    for (const source of kinds) {
      const view = this.#view(source);
      const { kind } = source;
      views.set(kind, view);
      for (const diagnostic of view.diagnostics) diagnostics.push(diagnostic);
    }
    this.#views = views;
    const list = <T extends KubeObject>(kind: T['kind']): readonly T[] => (views.get(kind)?.objects ?? noObjects) as readonly T[];
    const update = updateOf(
      {
        ingresses: list<Ingress>('Ingress'),
        ingressClasses: list<IngressClass>('IngressClass'),
        services: list<Service>('Service'),
        secrets: list<Secret>('Secret'),
        configMap: (views.get('ConfigMap')?.first ?? null) as ConfigMap | null,
        endpointSlices: list<EndpointSlice>('EndpointSlice'),
      },
      this.#last,
    );
    this.#last = update;
    return { update, diagnostics };
  }

  #view({ kind, apiVersion, objects, revision }: KindObjects): KindView {
    const previous = this.#views.get(kind);
    if (previous !== undefined && revision !== undefined && previous.revision === revision) return previous;
    const raw = objects();
    const view = (previous && this.#edited(previous, kind, apiVersion, raw)) ?? this.#rebuilt(kind, apiVersion, raw);
    return { ...view, revision };
  }

  /** Every object normalised (from the memo where it can) and sorted. */
  #rebuilt(kind: ObjectKind, apiVersion: string, raw: readonly KubernetesObject[]): KindView {
    const objects: KubeObject[] = [];
    const diagnostics: Diagnostic[] = [];
    for (const object of raw) {
      const result = normalize(object, kind, apiVersion, this.#options);
      if ('object' in result && result.object.kind === kind) objects.push(result.object);
      else if ('error' in result) diagnostics.push(invalid(result, kind));
    }
    const first = objects[0];
    const sorted = sortedList(objects);
    return { revision: undefined, raw, first, objects: sorted, diagnostics, duplicates: hasDuplicateNames(sorted) };
  }

  /**
   * `previous` with the objects that came and went since, or undefined when the kind must be rebuilt: too many
   * changed (a relist gives every object a new identity), one of them is invalid (the diagnostics are in the
   * informer's order), or a name clashes. Only the stretch between the longest common start and end of the two
   * lists can differ: an edit, an addition or a deletion leaves the rest where it was.
   */
  #edited(previous: KindView, kind: ObjectKind, apiVersion: string, raw: readonly KubernetesObject[]): KindView | undefined {
    const before = previous.raw;
    const { start, end } = changedStretch(before, raw);
    if (start === before.length && start === raw.length) return previous;
    const gone = before.slice(start, before.length - end);
    const come = raw.slice(start, raw.length - end);
    // A relist gives every object a new identity: sorted again (editedList) rather than compared one by one.
    if (tooManyEdits(gone.length + come.length, raw.length) || kind === 'ConfigMap' || previous.duplicates) return undefined;
    const goneSet = new Set(gone);
    const comeSet = new Set(come);
    const removed: KubeObject[] = [];
    const added: KubeObject[] = [];
    for (const [objects, others, into] of [[gone, comeSet, removed], [come, goneSet, added]] as const) {
      for (const object of objects) {
        if (others.has(object)) continue;
        const result = normalize(object, kind, apiVersion, this.#options);
        if ('error' in result) return undefined;
        if ('object' in result && result.object.kind === kind) into.push(result.object);
      }
    }
    if (removed.length === 0 && added.length === 0) return { ...previous, raw };
    const objects = editedList(previous.objects, removed, added);
    return objects === undefined ? undefined : { ...previous, raw, objects };
  }
}

/** One complete update from nothing (tests; the source keeps an UpdateBuilder). */
export function buildUpdate(kinds: readonly KindObjects[], options: NormalizeOptions = {}): { update: SourceUpdate; diagnostics: Diagnostic[] } {
  return new UpdateBuilder(options).build(kinds);
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
