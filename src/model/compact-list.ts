// An array built by push() or filter() (or a spread of several lists) has spare slots: V8 grows its store to
// 1.5 × length + 16 and never gives the rest back. A list kept for the life of the table pays that for nothing —
// 136 bytes for a two-item list (measured: 321 → 185 bytes per list with its two items). With bench/'s 10 000-Ingress
// table the compile's kept lists (prepared rules, each host's routes, matchers and Ingresses) held 3.5 MiB of spare
// slots in every thread that compiles: the primary and each worker.
import { sharedIfEmptyList } from './shared-values.ts';

/** `list`'s items in a list of exactly their number (the shared empty list for none), for a list that is kept. */
export function compactList<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? sharedIfEmptyList(list) : list.slice();
}
