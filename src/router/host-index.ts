import type { Service } from '../model/index.ts';
import type { CompiledHost } from './host-compile.ts';
import type { IngressChanges } from './ingress-set.ts';
import type { PreparedIngress } from './prepare.ts';
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
  #services: ReadonlyMap<string, Service> = new Map();
  /** Hosts compiled by the last sync (not reused): for tests and measurements. */
  compiledHosts = 0;

  /** Brings every host up to date with `changes` and `services`; `compileHost` compiles one host. */
  sync(
    changes: IngressChanges,
    rankOf: (prepared: PreparedIngress) => number,
    services: ReadonlyMap<string, Service>,
    compileHost: (host: string, members: readonly PreparedIngress[]) => CompiledHost,
  ): void {
    const dirty = new Set<string>();
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
        members.splice(insertionPoint(members, rankOf(prepared), rankOf), 0, prepared);
        dirty.add(host);
      }
    }
    for (const key of changedKeys(this.#services, services)) {
      for (const host of this.#readers.get(key) ?? []) dirty.add(host);
    }
    this.#services = services;
    this.compiledHosts = 0;
    for (const host of dirty) {
      const members = this.#members.get(host)!;
      this.#forgetReads(host);
      if (host !== '' && members.length === 0) {
        this.#members.delete(host);
        this.#results.delete(host);
        continue;
      }
      const result = compileHost(host, members);
      this.compiledHosts++;
      this.#results.set(host, result);
      for (const key of result.reads.keys()) {
        let readers = this.#readers.get(key);
        if (readers === undefined) this.#readers.set(key, (readers = new Set()));
        readers.add(host);
      }
    }
  }

  get results(): ReadonlyMap<string, CompiledHost> {
    return this.#results;
  }

  /** The oldest Ingress with a rule for `host` (the one that created its server). */
  creatorOf(host: string): PreparedIngress | undefined {
    return host === '' ? undefined : this.#members.get(host)?.[0];
  }

  #forgetReads(host: string): void {
    const previous = this.#results.get(host);
    if (previous === undefined) return;
    for (const key of previous.reads.keys()) {
      const readers = this.#readers.get(key);
      readers?.delete(host);
      if (readers?.size === 0) this.#readers.delete(key);
    }
  }
}

/** The hosts whose server an Ingress takes part in: its rule hosts, and '' when it claims the catch-all. */
function hostsOf(prepared: PreparedIngress): Set<string> {
  const hosts = new Set(prepared.rules.map((rule) => rule.host));
  if (claimsCatchAll(prepared)) hosts.add('');
  return hosts;
}

/** Where an Ingress of rank `rank` goes in a host's members, which are in rank order. */
function insertionPoint(members: readonly PreparedIngress[], rank: number, rankOf: (prepared: PreparedIngress) => number): number {
  let low = 0;
  let high = members.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (rankOf(members[middle]!) < rank) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Keys whose Service came, went, or is another object. */
function* changedKeys(before: ReadonlyMap<string, Service>, after: ReadonlyMap<string, Service>): Generator<string> {
  for (const [key, service] of after) if (before.get(key) !== service) yield key;
  for (const key of before.keys()) if (!after.has(key)) yield key;
}
