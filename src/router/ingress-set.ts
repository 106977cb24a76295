import type { CompileOptions, Diagnostic, Ingress } from '../model/index.ts';
import { creationTime, qualifiedName } from './ingress-order.ts';
import { prepareIngress, type PreparedIngress } from './prepare.ts';

// The compile's Ingresses, kept from one compile to the next: each Ingress object is prepared once (annotations
// parsed, hosts and paths validated), and the oldest-first order is maintained by merging the few Ingresses that
// are new instead of sorting all of them again. Sources keep the identity of unchanged objects
// (watch/change-detector.ts), so "new" is "an object this set has not seen in the previous compile".

interface Entry {
  readonly prepared: PreparedIngress | null;
  readonly diagnostics: readonly Diagnostic[];
  /** compareIngresses's keys, computed once. */
  readonly time: number;
  readonly name: string;
  /** The compile that last saw this Ingress (so "in the previous compile" is one comparison, no Set). */
  seen: number;
  /** Position in the current order. */
  rank: number;
}

export interface IngressChanges {
  /** Every prepared Ingress, oldest first (ingress-order.ts). */
  readonly ordered: readonly PreparedIngress[];
  /** Prepared Ingresses not in the previous compile, and those of the previous compile that are gone. */
  readonly added: readonly PreparedIngress[];
  readonly removed: readonly PreparedIngress[];
}

export class IngressSet {
  readonly #options: CompileOptions;
  #entries = new WeakMap<Ingress, Entry>();
  readonly #byPrepared = new WeakMap<PreparedIngress, Entry>();
  #ordered: Entry[] = [];
  /** Prepared Ingresses with spec.defaultBackend and rules (the only ones compile's defaultBackend report reads). */
  readonly #defaultBackends = new Set<Entry>();
  #compiles = 0;

  constructor(options: CompileOptions) {
    this.#options = options;
  }

  /**
   * Takes the snapshot's Ingresses that `isOurs` accepts; appends each one's prepare diagnostics (every compile
   * reports all of them: the diagnostics are the table's, not the change's).
   */
  sync(ingresses: readonly Ingress[], isOurs: (ingress: Ingress) => boolean, diagnostics: Diagnostic[]): IngressChanges {
    const now = ++this.#compiles;
    const added: Entry[] = [];
    for (const ingress of ingresses) {
      if (!isOurs(ingress)) continue;
      const entry = this.#entry(ingress);
      if (entry.seen === now) continue; // the same object listed twice counts once
      for (const diagnostic of entry.diagnostics) diagnostics.push(diagnostic);
      if (entry.prepared !== null && entry.seen !== now - 1) added.push(entry);
      entry.seen = now;
    }
    const removed: Entry[] = [];
    const kept: Entry[] = [];
    for (const entry of this.#ordered) (entry.seen === now ? kept : removed).push(entry);
    this.#ordered = merge(kept, added.sort(oldestFirst));
    for (const entry of removed) this.#defaultBackends.delete(entry);
    for (const entry of added) if (hasDefaultBackendAndRules(entry.prepared!)) this.#defaultBackends.add(entry);
    const ordered = this.#ordered.map((entry, rank) => {
      entry.rank = rank;
      return entry.prepared!;
    });
    return { ordered, added: added.map((entry) => entry.prepared!), removed: removed.map((entry) => entry.prepared!) };
  }

  /** The prepared Ingresses with spec.defaultBackend and rules, oldest first (few, even in a large table). */
  withDefaultBackend(): PreparedIngress[] {
    return [...this.#defaultBackends].sort((a, b) => a.rank - b.rank).map((entry) => entry.prepared!);
  }

  /** The position of a prepared Ingress in the current order (oldest first). */
  rankOf(prepared: PreparedIngress): number {
    return this.#byPrepared.get(prepared)!.rank;
  }

  #entry(ingress: Ingress): Entry {
    let entry = this.#entries.get(ingress);
    if (entry === undefined) {
      const diagnostics: Diagnostic[] = [];
      const prepared = prepareIngress(ingress, this.#options, diagnostics);
      entry = { prepared, diagnostics, time: creationTime(ingress), name: qualifiedName(ingress), seen: -1, rank: -1 };
      this.#entries.set(ingress, entry);
      if (prepared !== null) this.#byPrepared.set(prepared, entry);
    }
    return entry;
  }
}

/** compareIngresses on the precomputed keys: oldest first, ties by namespace/name DESCENDING (ingress-order.ts). */
function oldestFirst(a: Entry, b: Entry): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  return a.name === b.name ? 0 : a.name > b.name ? -1 : 1;
}

/** Two lists each sorted by oldestFirst → one (stable: equal keys keep `a` first). */
function merge(a: readonly Entry[], b: readonly Entry[]): Entry[] {
  if (b.length === 0) return a.slice();
  const out: Entry[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(oldestFirst(b[j]!, a[i]!) < 0 ? b[j++]! : a[i++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

function hasDefaultBackendAndRules(prepared: PreparedIngress): boolean {
  return prepared.ingress.spec.defaultBackend !== undefined && prepared.hasRules;
}
