import type { BackendTarget, Diagnostic, ObjectRef, Service } from '../model/index.ts';
import type { TargetRegistry } from './backend.ts';
import type { CompiledHost } from './host-compile.ts';
import type { IngressChanges } from './ingress-set.ts';
import type { PreparedIngress } from './prepare.ts';
import type { CompiledServer } from './table.ts';
import { claimsCatchAll } from './servers.ts';

// Every host's Ingresses and compiled server, kept from one compile to the next and redone only for the hosts a
// change touches: the hosts of an Ingress that came or went (an edited Ingress is a new object: both), and the
// hosts that read a Service that came, went or changed. A host's result depends on nothing else
// (host-compile.ts), so every other host keeps its result — and its CompiledServer object.

export class HostIndex {
  /**
   * The Ingresses with a rule for each host, oldest first; '' always exists (the catch-all server), its members
   * also the Ingresses that claim its fallback.
   */
  readonly #members = new Map<string, PreparedIngress[]>([['', []]]);
  readonly #results = new Map<string, CompiledHost>();
  /** Service key → the hosts whose compile read it. */
  readonly #readers = new Map<string, Set<string>>();
  /**
   * The table-wide views, kept up to date host by host rather than gathered from all 5 000 hosts' results on
   * every compile: each backend target with the number of hosts using it, and the hosts that have diagnostics.
   */
  readonly #backends = new Map<string, { target: BackendTarget; hosts: number }>();
  readonly #diagnosed = new Map<string, readonly Diagnostic[]>();
  readonly #servers = new Map<string, CompiledServer>();
  /** Hosts with from-to-www-redirect, and the Ingress that set it. */
  readonly #wwwRedirects = new Map<string, ObjectRef>();
  #services: ReadonlyMap<string, Service> = new Map();
  /** The Map the last table was given by tableBackends(), and the keys whose target a sync since has touched. */
  #tableBackends: ReadonlyMap<string, BackendTarget> | undefined;
  readonly #touchedBackends = new Set<string>();
  /** Targets whose last host the current sync forgot: still reused if a host compiled after it names the key. */
  readonly #released = new Map<string, BackendTarget>();
  /** Hosts compiled by the last sync (not reused): for tests and measurements. */
  compiledHosts = 0;

  /**
   * Brings every host up to date with `changes` and `services`; `compileHost` compiles one host. Returns the hosts
   * whose server may have changed (those gone included). `services` the very Map of the previous sync: no
   * Service changed (compile-cache.ts keeps the index of an unchanged list), so none is compared.
   */
  sync(
    changes: IngressChanges,
    compare: (a: PreparedIngress, b: PreparedIngress) => number,
    services: ReadonlyMap<string, Service>,
    compileHost: (host: string, members: readonly PreparedIngress[]) => CompiledHost,
  ): ReadonlySet<string> {
    const dirty = new Set<string>();
    this.#released.clear();
    if (!this.#results.has('')) dirty.add('');
    for (const prepared of changes.removed) {
      for (const host of hostsOf(prepared)) {
        const members = this.#members.get(host)!;
        members.splice(members.indexOf(prepared), 1);
        dirty.add(host);
      }
    }
    for (const prepared of changes.added) {
      for (const host of hostsOf(prepared)) {
        let members = this.#members.get(host);
        if (members === undefined) this.#members.set(host, (members = []));
        members.splice(insertionPoint(members, prepared, compare), 0, prepared);
        dirty.add(host);
      }
    }
    if (services !== this.#services) {
      for (const key of changedKeys(this.#services, services)) {
        for (const host of this.#readers.get(key) ?? []) dirty.add(host);
      }
    }
    this.#services = services;
    this.compiledHosts = 0;
    for (const host of dirty) {
      const members = this.#members.get(host)!;
      this.#forget(host);
      if (host !== '' && members.length === 0) {
        this.#members.delete(host);
        this.#results.delete(host);
        continue;
      }
      // splice() leaves a list its spare slots (model/compact-list.ts): the host keeps an exact copy.
      const kept = members.slice();
      this.#members.set(host, kept);
      const result = compileHost(host, kept);
      this.compiledHosts++;
      this.#results.set(host, result);
      this.#remember(host, result);
    }
    return dirty;
  }

  get results(): ReadonlyMap<string, CompiledHost> {
    return this.#results;
  }

  /**
   * Every backend target some host uses, for the table (which keeps it: never written after). The previous
   * table's Map again when no sync since has added, removed or replaced a target: an edited Ingress usually
   * forgets and remembers the same targets, and copying 1 000 of them was ≈0.16 ms of every compile.
   */
  tableBackends(): ReadonlyMap<string, BackendTarget> {
    const last = this.#tableBackends;
    if (last !== undefined && [...this.#touchedBackends].every((key) => last.get(key) === this.#backends.get(key)?.target)) {
      this.#touchedBackends.clear();
      return last;
    }
    const backends = new Map<string, BackendTarget>();
    for (const [key, { target }] of this.#backends) backends.set(key, target);
    this.#touchedBackends.clear();
    return (this.#tableBackends = backends);
  }

  /**
   * The targets of the previous table, for this compile's resolvers to reuse (one object per key table-wide, and
   * across tables while the Service port is unchanged); a target they make is added for the hosts compiled after
   * them. A view, not a copy of the 1 000: the targets hosts use, and those the sync has just released.
   */
  knownTargets(): TargetRegistry {
    const made = new Map<string, BackendTarget>();
    const inUse = this.#backends;
    const released = this.#released;
    return {
      get: (key) => made.get(key) ?? inUse.get(key)?.target ?? released.get(key),
      set: (key, target) => void made.set(key, target),
    };
  }

  /** A host's server; undefined when it has none. */
  serverOf(host: string): CompiledServer | undefined {
    return this.#servers.get(host);
  }

  /** The hosts with from-to-www-redirect, and the Ingress that set it. */
  wwwRedirects(): ReadonlyMap<string, ObjectRef> {
    return this.#wwwRedirects;
  }

  /** The diagnostics of every host that has some. */
  diagnostics(): Iterable<readonly Diagnostic[]> {
    return this.#diagnosed.values();
  }

  /** The oldest Ingress with a rule for `host` (the one that created its server). */
  creatorOf(host: string): PreparedIngress | undefined {
    return host === '' ? undefined : this.#members.get(host)?.[0];
  }

  /** Takes a host's previous result out of the readers index and the table-wide views. */
  #forget(host: string): void {
    const previous = this.#results.get(host);
    if (previous === undefined) return;
    for (const key of previous.reads) {
      const readers = this.#readers.get(key);
      readers?.delete(host);
      if (readers?.size === 0) this.#readers.delete(key);
    }
    for (const { key } of previous.backends) {
      const use = this.#backends.get(key)!;
      if (--use.hosts === 0) {
        this.#backends.delete(key);
        this.#touchedBackends.add(key);
        this.#released.set(key, use.target);
      }
    }
    this.#diagnosed.delete(host);
    this.#servers.delete(host);
    this.#wwwRedirects.delete(host);
  }

  #remember(host: string, result: CompiledHost): void {
    for (const key of result.reads) {
      let readers = this.#readers.get(key);
      if (readers === undefined) this.#readers.set(key, (readers = new Set()));
      readers.add(host);
    }
    for (const target of result.backends) {
      const key = target.key;
      const use = this.#backends.get(key);
      // A recompiled host may hold a newer target for the key (its Service changed): every host reading that
      // Service is recompiled in the same sync, and the newest target is the one they all get (backend.ts).
      if (use === undefined || use.target !== target) this.#touchedBackends.add(key);
      if (use === undefined) this.#backends.set(key, { target, hosts: 1 });
      else {
        use.target = target;
        use.hosts++;
      }
    }
    if (result.diagnostics.length > 0) this.#diagnosed.set(host, result.diagnostics);
    this.#servers.set(host, result.server);
    if (result.wwwRedirect !== undefined) this.#wwwRedirects.set(host, result.wwwRedirect);
  }
}

/** The hosts whose server an Ingress takes part in: its rule hosts, and '' when it claims the catch-all. */
function hostsOf(prepared: PreparedIngress): Set<string> {
  const hosts = new Set(prepared.rules.map((rule) => rule.host));
  if (claimsCatchAll(prepared)) hosts.add('');
  return hosts;
}

/** Where `prepared` goes in a host's members, which are oldest first (`compare`: compareIngresses's order). */
function insertionPoint(
  members: readonly PreparedIngress[],
  prepared: PreparedIngress,
  compare: (a: PreparedIngress, b: PreparedIngress) => number,
): number {
  let low = 0;
  let high = members.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(members[middle]!, prepared) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Keys whose Service came, went, or is another object. */
function* changedKeys(before: ReadonlyMap<string, Service>, after: ReadonlyMap<string, Service>): Generator<string> {
  for (const [key, service] of after) if (before.get(key) !== service) yield key;
  for (const key of before.keys()) if (!after.has(key)) yield key;
}
