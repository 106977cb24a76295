import { changedStretch, type CompileOptions, type Diagnostic, type Ingress, type IngressClass } from '../model/index.ts';
import { creationTime, qualifiedName } from './ingress-order.ts';
import { prepareIngress, type PreparedIngress } from './prepare.ts';

// The compile's Ingresses, kept from one compile to the next. Each Ingress object is prepared once (annotations
// parsed, hosts and paths validated), and a new snapshot is compared with the previous one by reference only:
// sources keep the identity of unchanged objects and their order (watch/change-detector.ts), so one edited
// Ingress in a 10 000-Ingress list is found by comparing references from both ends — no object is looked into,
// no set of 10 000 is built (the former full pass: ≈2.7 of a 10k table's ≈7 ms incremental compile in a
// worker). When the IngressClasses change, whether each Ingress is ours may change too: then every one is asked.

interface Entry {
  readonly prepared: PreparedIngress | null;
  readonly diagnostics: readonly Diagnostic[];
  /** compareIngresses's keys, computed once. */
  readonly time: number;
  readonly name: string;
}

export interface IngressChanges {
  /** Prepared Ingresses that joined the compile, and those that left it (an edited Ingress: both). */
  readonly added: readonly PreparedIngress[];
  readonly removed: readonly PreparedIngress[];
}

export class IngressSet {
  readonly #options: CompileOptions;
  readonly #entries = new WeakMap<Ingress, Entry>();
  readonly #byPrepared = new WeakMap<PreparedIngress, Entry>();
  /** The Ingresses in the compile (ours), prepared or refused. */
  #ours = new Map<Ingress, Entry>();
  /** Those of #ours with diagnostics, which every compile reports (they are the table's, not the change's). */
  readonly #diagnosed = new Set<Entry>();
  /** Those of #ours prepared with spec.defaultBackend and rules (the only ones compile's defaultBackend report reads). */
  readonly #defaultBackends = new Set<Entry>();
  #lastIngresses: readonly Ingress[] = [];
  #lastClasses: readonly IngressClass[] | undefined;

  constructor(options: CompileOptions) {
    this.#options = options;
  }

  /** Takes the snapshot's Ingresses that `isOurs` accepts; appends the diagnostics of every one of them. */
  sync(
    ingresses: readonly Ingress[],
    classes: readonly IngressClass[],
    isOurs: (ingress: Ingress) => boolean,
    diagnostics: Diagnostic[],
  ): IngressChanges {
    const classesSame = this.#lastClasses !== undefined && sameElements(this.#lastClasses, classes);
    const joined: Entry[] = [];
    const left: Entry[] = [];
    if (classesSame) this.#syncChanged(ingresses, isOurs, joined, left);
    else this.#syncAll(ingresses, isOurs, joined, left);
    this.#lastIngresses = ingresses;
    this.#lastClasses = [...classes];
    for (const entry of left) {
      this.#diagnosed.delete(entry);
      this.#defaultBackends.delete(entry);
    }
    for (const entry of joined) {
      if (entry.diagnostics.length > 0) this.#diagnosed.add(entry);
      if (entry.prepared !== null && hasDefaultBackendAndRules(entry.prepared)) this.#defaultBackends.add(entry);
    }
    for (const entry of this.#diagnosed) for (const diagnostic of entry.diagnostics) diagnostics.push(diagnostic);
    return { added: preparedOf(joined), removed: preparedOf(left) };
  }

  /** compareIngresses for prepared Ingresses, on keys computed once: oldest first, ties by namespace/name DESCENDING. */
  compare(a: PreparedIngress, b: PreparedIngress): number {
    return oldestFirst(this.#byPrepared.get(a)!, this.#byPrepared.get(b)!);
  }

  /** The prepared Ingresses with spec.defaultBackend and rules, oldest first (few, even in a large table). */
  withDefaultBackend(): PreparedIngress[] {
    return [...this.#defaultBackends].sort(oldestFirst).map((entry) => entry.prepared!);
  }

  /**
   * Same IngressClasses: an Ingress kept by reference is still ours or still not. Only the stretch between the
   * longest common start and end of the two lists can differ; within it, references in both are unchanged.
   */
  #syncChanged(ingresses: readonly Ingress[], isOurs: (ingress: Ingress) => boolean, joined: Entry[], left: Entry[]): void {
    const before = this.#lastIngresses;
    const { start, end } = changedStretch(before, ingresses);
    const gone = before.slice(start, before.length - end);
    const come = ingresses.slice(start, ingresses.length - end);
    const goneSet = new Set(gone);
    const comeSet = new Set(come);
    for (const ingress of gone) {
      if (comeSet.has(ingress)) continue;
      const entry = this.#ours.get(ingress);
      if (entry === undefined) continue;
      this.#ours.delete(ingress);
      left.push(entry);
    }
    for (const ingress of come) {
      if (goneSet.has(ingress) || this.#ours.has(ingress) || !isOurs(ingress)) continue;
      const entry = this.#entry(ingress);
      this.#ours.set(ingress, entry);
      joined.push(entry);
    }
  }

  /** Every Ingress asked again (the first compile, or the IngressClasses changed). */
  #syncAll(ingresses: readonly Ingress[], isOurs: (ingress: Ingress) => boolean, joined: Entry[], left: Entry[]): void {
    const ours = new Map<Ingress, Entry>();
    for (const ingress of ingresses) {
      if (ours.has(ingress) || !isOurs(ingress)) continue;
      const entry = this.#entry(ingress);
      ours.set(ingress, entry);
      if (!this.#ours.has(ingress)) joined.push(entry);
    }
    for (const [ingress, entry] of this.#ours) if (!ours.has(ingress)) left.push(entry);
    this.#ours = ours;
  }

  #entry(ingress: Ingress): Entry {
    let entry = this.#entries.get(ingress);
    if (entry === undefined) {
      const diagnostics: Diagnostic[] = [];
      const prepared = prepareIngress(ingress, this.#options, diagnostics);
      entry = { prepared, diagnostics, time: creationTime(ingress), name: qualifiedName(ingress) };
      this.#entries.set(ingress, entry);
      if (prepared !== null) this.#byPrepared.set(prepared, entry);
    }
    return entry;
  }
}

/** compareIngresses on the precomputed keys (ingress-order.ts). */
function oldestFirst(a: Entry, b: Entry): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  return a.name === b.name ? 0 : a.name > b.name ? -1 : 1;
}

function preparedOf(entries: readonly Entry[]): PreparedIngress[] {
  const prepared: PreparedIngress[] = [];
  for (const entry of entries) if (entry.prepared !== null) prepared.push(entry.prepared);
  return prepared;
}

function sameElements<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function hasDefaultBackendAndRules(prepared: PreparedIngress): boolean {
  return prepared.ingress.spec.defaultBackend !== undefined && prepared.hasRules;
}
