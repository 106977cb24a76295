import type {
  ConfigMap,
  Diagnostic,
  EndpointSlice,
  Ingress,
  IngressClass,
  KubeObject,
  ObjectMeta,
  Secret,
  Service,
  Snapshot,
  SourceUpdate,
} from '../../model/index.ts';
import { compareNames, formatRef, refOf } from '../../model/index.ts';
import type { FileState } from './parse-file.ts';

// Every rebuild starts here, from the full set of per-file last-good states: no patching, so an update can never
// carry a stale leftover of an earlier one.

interface Winner {
  readonly file: string;
  readonly document: number;
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byIdentity(a: { metadata: ObjectMeta }, b: { metadata: ObjectMeta }): number {
  return compareNames(a.metadata, b.metadata);
}

function sorted<T extends KubeObject>(objects: T[]): readonly T[] {
  return Object.freeze(objects.sort(byIdentity));
}

/**
 * The complete update for a set of file states, plus every current diagnostic (not a delta). Duplicates of a
 * kind/namespace/name: the first in (sorted file path, document) order wins, so the outcome does not depend on
 * the order the filesystem listed or reported files.
 */
export function buildUpdate(
  files: ReadonlyMap<string, FileState>,
  extraDiagnostics: readonly Diagnostic[] = [],
): { update: SourceUpdate; diagnostics: Diagnostic[] } {
  const winners = new Map<string, Winner>();
  const diagnostics: Diagnostic[] = [...extraDiagnostics];
  const byKind = {
    Ingress: [] as Ingress[], IngressClass: [] as IngressClass[], Service: [] as Service[], EndpointSlice: [] as EndpointSlice[], Secret: [] as Secret[],
    ConfigMap: [] as ConfigMap[],
  };
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
      (byKind[object.kind] as KubeObject[]).push(object);
    }
  }
  const snapshot: Snapshot = Object.freeze({
    ingresses: sorted(byKind.Ingress),
    ingressClasses: sorted(byKind.IngressClass),
    services: sorted(byKind.Service),
    secrets: sorted(byKind.Secret),
    // Only the --configmap one gets this far (normalizeObject ignores the rest); a duplicate lost above.
    configMap: byKind.ConfigMap[0] ?? null,
  });
  const update: SourceUpdate = Object.freeze({ snapshot, endpointSlices: sorted(byKind.EndpointSlice) });
  return { update, diagnostics };
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
