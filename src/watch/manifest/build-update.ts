import type { Diagnostic, KubeObject, ObjectKind, SourceUpdate } from '../../model/index.ts';
import { formatRef, refOf } from '../../model/index.ts';
import { editedList, sortedList, updateOf } from '../source-lists.ts';
import type { FileState } from './parse-file.ts';

// Every rebuild starts here, from the full set of per-file last-good states: no patching, so an update can never
// carry a stale leftover of an earlier one.
//
// Complete, but not rebuilt from nothing when a few files changed: the kinds those files held (before or after)
// are edited by the objects that came and went (source-lists.ts), the others keep their lists, and the result is
// the list a full rebuild would sort. Only when no object is duplicated: which copy wins is a full rebuild's to say.

interface Winner {
  readonly file: string;
  readonly document: number;
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

type Lists = { readonly [K in ObjectKind]: readonly Extract<KubeObject, { kind: K }>[] };

/** Builds each complete update from the file states, keeping what did not change since the last one. */
export class UpdateBuilder {
  #files: ReadonlyMap<string, FileState> | undefined;
  /** The last build's lists, when no object in it was duplicated (else every build is a full one). */
  #lists: Lists | undefined;
  #last: SourceUpdate | undefined;

  /**
   * The complete update for a set of file states, plus every current diagnostic (not a delta). Duplicates of a
   * kind/namespace/name: the first in (sorted file path, document) order wins, so the outcome does not depend on
   * the order the filesystem listed or reported files.
   */
  build(files: ReadonlyMap<string, FileState>, extraDiagnostics: readonly Diagnostic[] = []): { update: SourceUpdate; diagnostics: Diagnostic[] } {
    const previous = this.#files;
    const edited = previous !== undefined && this.#lists !== undefined ? editLists(this.#lists, previous, files) : undefined;
    let lists: Lists;
    let diagnostics: Diagnostic[];
    if (edited !== undefined) {
      lists = edited;
      diagnostics = [...extraDiagnostics];
      for (const file of [...files.keys()].sort(byPath)) diagnostics.push(...files.get(file)!.diagnostics);
    } else {
      ({ lists, diagnostics } = fullLists(files, extraDiagnostics));
    }
    this.#files = files;
    this.#lists = diagnostics.some((diagnostic) => diagnostic.reason === 'DuplicateObject') ? undefined : lists;
    const update = updateOf(
      {
        ingresses: lists.Ingress,
        ingressClasses: lists.IngressClass,
        services: lists.Service,
        secrets: lists.Secret,
        // Only the --configmap one gets this far (normalizeObject ignores the rest); a duplicate lost above.
        configMap: lists.ConfigMap[0] ?? null,
        endpointSlices: lists.EndpointSlice,
      },
      this.#last,
    );
    this.#last = update;
    return { update, diagnostics };
  }
}

/** One complete update from nothing (tests; the source keeps an UpdateBuilder). */
export function buildUpdate(
  files: ReadonlyMap<string, FileState>,
  extraDiagnostics: readonly Diagnostic[] = [],
): { update: SourceUpdate; diagnostics: Diagnostic[] } {
  return new UpdateBuilder().build(files, extraDiagnostics);
}

function fullLists(files: ReadonlyMap<string, FileState>, extraDiagnostics: readonly Diagnostic[]): { lists: Lists; diagnostics: Diagnostic[] } {
  const winners = new Map<string, Winner>();
  const diagnostics: Diagnostic[] = [...extraDiagnostics];
  const byKind: { [K in ObjectKind]: KubeObject[] } = { Ingress: [], IngressClass: [], Service: [], EndpointSlice: [], Secret: [], ConfigMap: [] };
  for (const file of [...files.keys()].sort(byPath)) {
    const state = files.get(file) as FileState;
    diagnostics.push(...state.diagnostics);
    for (const { object, document } of state.objects) {
      const key = `${object.kind}/${object.metadata.namespace}/${object.metadata.name}`;
      const winner = winners.get(key);
      if (winner !== undefined) {
        diagnostics.push(duplicate(object, file, document, winner));
        continue;
      }
      winners.set(key, { file, document });
      byKind[object.kind].push(object);
    }
  }
  // The ConfigMap is the first in file order, not sorted (there is at most one once duplicates lost).
  const lists = Object.fromEntries(Object.entries(byKind).map(([kind, objects]) => [kind, kind === 'ConfigMap' ? Object.freeze(objects) : sortedList(objects)]));
  return { lists: lists as unknown as Lists, diagnostics };
}

/**
 * The lists after the files that changed since `before` (another state object, added or gone), or undefined when
 * a full rebuild must decide: a ConfigMap changed, too many objects did, or a name is now taken twice.
 */
function editLists(lists: Lists, before: ReadonlyMap<string, FileState>, after: ReadonlyMap<string, FileState>): Lists | undefined {
  const removed = new Map<ObjectKind, KubeObject[]>();
  const added = new Map<ObjectKind, KubeObject[]>();
  for (const file of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(file);
    const now = after.get(file);
    if (old === now) continue;
    const oldObjects = new Set(old?.objects.map((o) => o.object));
    const newObjects = new Set(now?.objects.map((o) => o.object));
    for (const object of oldObjects) if (!newObjects.has(object)) push(removed, object);
    for (const object of newObjects) if (!oldObjects.has(object)) push(added, object);
  }
  if (removed.has('ConfigMap') || added.has('ConfigMap')) return undefined;
  const next: Record<string, readonly KubeObject[]> = { ...lists };
  for (const kind of new Set([...removed.keys(), ...added.keys()])) {
    const list = editedList(lists[kind] as readonly KubeObject[], removed.get(kind) ?? [], added.get(kind) ?? []);
    if (list === undefined) return undefined;
    next[kind] = list;
  }
  return next as unknown as Lists;
}

function push(byKind: Map<ObjectKind, KubeObject[]>, object: KubeObject): void {
  const list = byKind.get(object.kind);
  if (list === undefined) byKind.set(object.kind, [object]);
  else list.push(object);
}

function duplicate(object: KubeObject, file: string, document: number, winner: Winner): Diagnostic {
  return {
    severity: 'Warning',
    reason: 'DuplicateObject',
    object: refOf(object),
    field: '',
    source: { file, document },
    message: `${formatRef(refOf(object))} is already defined in ${winner.file} (document ${winner.document}), which wins; this copy is ignored`,
  };
}
