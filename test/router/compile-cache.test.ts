// The compile cache may change what a compile costs, never what it returns: over random sequences of edits
// (objects added, removed, replaced by an equal copy, or changed), a compile that reuses the previous compiles'
// work must equal a compile from nothing — table and diagnostics. The golden cases are the corpus: between them
// they hold every feature, conflict and error the compiler knows.
import { describe, expect, it } from 'vitest';
import { compareNames, type CompileOptions, type Ingress, type IngressClass, type Service, type Snapshot } from '../../src/model/index.ts';
import { CompileCache, compile } from '../../src/router/index.ts';
import { pick, random } from '../support/random.ts';
import { compiledView, goldenCases, readGoldenInput } from './golden-support.ts';
import { ingress, snapshotOf as snapshotOfBuilt } from './builders.ts';
import { loadCase } from './load-objects.ts';

type Editable = Ingress | Service | IngressClass;

interface State {
  readonly pool: readonly Editable[];
  /** The objects in the snapshot now, by pool index (a changed object replaces its pool entry's value here). */
  readonly current: Map<number, Editable>;
}

const timestamps = ['', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', '2026-03-01T12:00:00Z'];

/**
 * `sorted`: in the sources' order (namespace, then name), else in the state's (where edits move objects). A list
 * whose objects are all the previous snapshot's keeps its identity, as the sources keep it (watch/source-lists.ts),
 * so the compile's shortcuts for an unchanged list (the Services' index) are taken as they are in production.
 */
function snapshotOf(base: Snapshot, state: State, sorted = false, previous?: Snapshot): Snapshot {
  const objects = [...state.current.values()];
  if (sorted) objects.sort((a, b) => compareNames(a.metadata, b.metadata));
  const kept = <T,>(list: T[], before: readonly T[] | undefined): readonly T[] =>
    before !== undefined && before.length === list.length && list.every((object, i) => object === before[i]) ? before : list;
  return {
    ...base,
    ingresses: kept(objects.filter((object): object is Ingress => object.kind === 'Ingress'), previous?.ingresses),
    services: kept(objects.filter((object): object is Service => object.kind === 'Service'), previous?.services),
    ingressClasses: kept(objects.filter((object): object is IngressClass => object.kind === 'IngressClass'), previous?.ingressClasses),
  };
}

/** The server every host of the table (and a few it lacks) is served by, by host name: cached and uncached must agree. */
function lookups(snapshot: Snapshot, options: CompileOptions, cache?: CompileCache): Record<string, string> {
  const { table } = compile(snapshot, options, options.settings, cache);
  const hosts = [...table.servers.map((server) => server.host), 'absent.example.com', 'x.y.example.com', ''];
  const wildcardMatches = hosts.filter((host) => host.startsWith('*.')).map((host) => `any${host.slice(1)}`);
  return Object.fromEntries([...hosts, ...wildcardMatches].map((host) => [host, table.serverFor(host).host]));
}

/** A changed copy of an object (a new identity, as a source gives an edited object). */
function changed(object: Editable, hosts: readonly string[], next: () => number): Editable {
  // Test data is edited in place on a fresh copy; the model's types are read-only, so it is handled untyped here.
  const copy = structuredClone(object) as unknown as { spec: any; metadata: any };
  if (object.kind === 'Service') {
    const ports = copy.spec.ports as Array<Record<string, unknown>>;
    if (ports.length > 0 && next() < 0.5) ports[0]!['port'] = (ports[0]!['port'] as number) + 1;
    else if (ports.length > 0) ports.splice(0, 1);
    return copy as Editable;
  }
  if (object.kind === 'IngressClass') {
    copy.spec.controller = copy.spec.controller === 'k8s.io/ingress-nginx' ? 'example.com/other' : 'k8s.io/ingress-nginx';
    return copy as Editable;
  }
  const rules = copy.spec.rules as Array<Record<string, unknown>>;
  const edit = Math.floor(next() * 4);
  if (edit === 0) copy.metadata.creationTimestamp = pick(timestamps, next);
  else if (edit === 1 && rules.length > 0) rules.splice(Math.floor(next() * rules.length), 1);
  else if (edit === 2 && rules.length > 0 && hosts.length > 0) rules[Math.floor(next() * rules.length)]!['host'] = pick(hosts, next);
  else copy.spec.ingressClassName = copy.spec.ingressClassName === undefined ? 'nginx' : undefined;
  return copy as Editable;
}

function edit(state: State, hosts: readonly string[], next: () => number): void {
  const index = Math.floor(next() * state.pool.length);
  const present = state.current.get(index);
  const roll = next();
  if (present === undefined) state.current.set(index, state.pool[index]!);
  else if (roll < 0.3) state.current.delete(index);
  else if (roll < 0.5) state.current.set(index, structuredClone(present)); // equal content, new identity
  else state.current.set(index, changed(present, hosts, next));
}

function hostsOf(snapshot: Snapshot): string[] {
  return [...new Set(snapshot.ingresses.flatMap((ingress) => ingress.spec.rules.map((rule) => rule.host)))];
}

/** Every route's backend is the table's one object for its key (routes of reused and recompiled hosts share it). */
function expectOneTargetPerKey(snapshot: Snapshot, options: CompileOptions, cache: CompileCache): void {
  const { table } = compile(snapshot, options, options.settings, cache);
  for (const server of table.servers) {
    for (const route of server.routes) {
      if (route.action.kind === 'forward') expect(route.action.backend).toBe(table.backends.get(route.action.backend.key));
    }
  }
}

describe('compile with a cache equals compile from nothing', () => {
  it.each(goldenCases())('%s, over random edit sequences', (name) => {
    const { snapshot: base, options } = loadCase(readGoldenInput(name));
    const pool: Editable[] = [...base.ingresses, ...base.services, ...base.ingressClasses];
    const hosts = hostsOf(base);
    for (const seed of [1, 2, 3, 4, 5]) {
      const next = random(seed);
      const state: State = { pool, current: new Map() };
      pool.forEach((object, index) => next() < 0.5 && state.current.set(index, object));
      const cache = new CompileCache();
      let previous: Snapshot | undefined;
      for (let step = 0; step < 30; step++) {
        const snapshot = snapshotOf(base, state, seed % 2 === 0, previous);
        expect(compiledView(snapshot, options, cache), `seed ${seed}, step ${step}`).toEqual(compiledView(snapshot, options));
        expect(lookups(snapshot, options, cache), `seed ${seed}, step ${step}`).toEqual(lookups(snapshot, options));
        edit(state, hosts, next);
        previous = snapshot;
      }
      expectOneTargetPerKey(snapshotOf(base, state), options, cache);
    }
  });
});

describe('what the cache reuses', () => {
  const { snapshot, options } = loadCase(readGoldenInput('origin-story'));

  it('compiles nothing again when nothing changed, and only the edited Ingress\'s hosts after an edit', () => {
    const cache = new CompileCache();
    compile(snapshot, options, options.settings, cache);
    const hosts = compile(snapshot, options, options.settings, cache).table.servers.length;
    expect(hosts).toBeGreaterThan(2);
    expect(cache.compiledHosts).toBe(0);
    const edited = structuredClone(snapshot.ingresses[0]!);
    const ingresses = [edited, ...snapshot.ingresses.slice(1)];
    compile({ ...snapshot, ingresses }, options, options.settings, cache);
    const editedHosts = new Set(edited.spec.rules.map((rule) => rule.host));
    expect(cache.compiledHosts).toBe(editedHosts.size);
  });

  it('keeps the server object of a host nothing touched', () => {
    const cache = new CompileCache();
    const before = compile(snapshot, options, options.settings, cache).table;
    const after = compile({ ...snapshot, ingresses: [...snapshot.ingresses] }, options, options.settings, cache).table;
    expect(after.servers.length).toBe(before.servers.length);
    after.servers.forEach((server, i) => expect(server).toBe(before.servers[i]));
  });

  it('keeps a backend target across tables while its Service port is unchanged, even when its only host is recompiled', () => {
    const sluiceOptions: CompileOptions = { ...options, ingressClass: 'sluice' };
    const route = (path: string) => ({ name: 'a', rules: [{ host: 'a.example.com', paths: [{ path, pathType: 'Prefix' as const, service: 'only-a' }] }] });
    const cache = new CompileCache();
    const before = compile(snapshotOfBuilt([ingress(route('/one'))]), sluiceOptions, options.settings, cache).table;
    const edited = snapshotOfBuilt([ingress(route('/two'))]);
    const after = compile(edited, sluiceOptions, options.settings, cache).table;
    expect(cache.compiledHosts).toBe(1);
    expect(after.backends.get('default/only-a:80')).toBe(before.backends.get('default/only-a:80'));
    expect(after.backends).toBe(before.backends);
  });

  it('starts afresh for other options', () => {
    const cache = new CompileCache();
    compile(snapshot, options, options.settings, cache);
    const other = { ...options, pathMatching: 'spec' as const };
    compile(snapshot, other, options.settings, cache);
    expect(cache.compiledHosts).toBe(compile(snapshot, other).table.servers.length - wwwServers(snapshot, other));
  });
});

/** Redirect-only www servers are made after the hosts, not compiled as hosts. */
function wwwServers(snapshot: Snapshot, options: CompileOptions): number {
  return compile(snapshot, options).table.servers.filter((server) => server.routes.every((route) => route.pathType === 'Redirect')).length;
}

describe('compile with a cache, a table larger than the host maps\' overlay', () => {
  // 300 hosts: every edit goes through the layered host maps' overlay (64 entries at this size), and the edits
  // between two merges are many (layered-map.ts); the Services stay the same list while only Ingresses change.
  // The builders' Ingresses name class 'sluice'.
  const options: CompileOptions = { ...loadCase(readGoldenInput('origin-story')).options, ingressClass: 'sluice' };
  const hostOf = (i: number): string => (i % 10 === 0 ? `*.w${i}.example.com` : `h${i}.example.com`);
  const ingressFor = (i: number, variant: number): Ingress =>
    ingress({
      name: `ing-${i}`,
      created: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`,
      rules: [{ host: hostOf(variant), paths: [{ path: `/p${variant % 3}`, pathType: 'Prefix', service: `svc-${variant % 7}` }] }],
    });

  it('equals a compile from nothing over 200 random edits', () => {
    expect(compile(snapshotOfBuilt([ingressFor(0, 1)]), options).table.servers.map((server) => server.host)).toContain(hostOf(1));
    const next = random(7);
    const current = new Map<number, Ingress>(Array.from({ length: 300 }, (_, i) => [i, ingressFor(i, i)]));
    const services = snapshotOfBuilt([...current.values()]).services;
    const cache = new CompileCache();
    for (let step = 0; step < 200; step++) {
      const snapshot: Snapshot = { ...snapshotOfBuilt([]), services, ingresses: [...current.values()].sort((a, b) => compareNames(a.metadata, b.metadata)) };
      if (step % 10 === 0 || step > 190) {
        expect(compiledView(snapshot, options, cache), `step ${step}`).toEqual(compiledView(snapshot, options));
        expect(lookups(snapshot, options, cache), `step ${step}`).toEqual(lookups(snapshot, options));
      } else {
        compile(snapshot, options, options.settings, cache);
      }
      for (let edits = next() < 0.1 ? 80 : 1 + Math.floor(next() * 3); edits > 0; edits--) {
        const i = Math.floor(next() * 320);
        if (current.has(i) && next() < 0.2) current.delete(i);
        else current.set(i, ingressFor(i, Math.floor(next() * 400)));
      }
    }
  });
});
