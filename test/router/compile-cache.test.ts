// The compile cache may change what a compile costs, never what it returns: over random sequences of edits
// (objects added, removed, replaced by an equal copy, or changed), a compile that reuses the previous compiles'
// work must equal a compile from nothing — table and diagnostics. The golden cases are the corpus: between them
// they hold every feature, conflict and error the compiler knows.
import { describe, expect, it } from 'vitest';
import { compareNames, type CompileOptions, type Ingress, type IngressClass, type Service, type Snapshot } from '../../src/model/index.ts';
import { CompileCache, compile } from '../../src/router/index.ts';
import { pick, random } from '../support/random.ts';
import { compiledView, goldenCases, readGoldenInput } from './golden-support.ts';
import { loadCase } from './load-objects.ts';

type Editable = Ingress | Service | IngressClass;

interface State {
  readonly pool: readonly Editable[];
  /** The objects in the snapshot now, by pool index (a changed object replaces its pool entry's value here). */
  readonly current: Map<number, Editable>;
}

const timestamps = ['', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', '2026-03-01T12:00:00Z'];

/** `sorted`: in the sources' order (namespace, then name), else in the state's (where edits move objects). */
function snapshotOf(base: Snapshot, state: State, sorted = false): Snapshot {
  const objects = [...state.current.values()];
  if (sorted) objects.sort((a, b) => compareNames(a.metadata, b.metadata));
  return {
    ...base,
    ingresses: objects.filter((object): object is Ingress => object.kind === 'Ingress'),
    services: objects.filter((object): object is Service => object.kind === 'Service'),
    ingressClasses: objects.filter((object): object is IngressClass => object.kind === 'IngressClass'),
  };
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
      for (let step = 0; step < 30; step++) {
        const snapshot = snapshotOf(base, state, seed % 2 === 0);
        expect(compiledView(snapshot, options, cache), `seed ${seed}, step ${step}`).toEqual(compiledView(snapshot, options));
        edit(state, hosts, next);
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
