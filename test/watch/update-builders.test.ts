// Both sources build each update from the previous one's lists where they can (watch/source-lists.ts): a kind
// nothing changed in keeps its list, a kind a few objects changed in is edited. Whatever they reuse, every update
// must equal the one built from nothing out of the same objects — lists, diagnostics and their order — and what
// did not change must keep its identity, which everything downstream relies on to skip work.
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeObject, SourceUpdate } from '../../src/model/index.ts';
import { UpdateBuilder as KubeUpdateBuilder, buildUpdate as buildKubeUpdate, type KindObjects } from '../../src/watch/kube/build-update.ts';
import { UpdateBuilder as ManifestUpdateBuilder, buildUpdate as buildManifestUpdate } from '../../src/watch/manifest/build-update.ts';
import type { FileState } from '../../src/watch/manifest/parse-file.ts';
import { normalizeObject } from '../../src/watch/normalize/index.ts';
import { pick, random } from '../support/random.ts';

const namespaces = ['a', 'a-b', 'b', 'default'];

function rawService(namespace: string, name: string, port: number): KubernetesObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec: { ports: [{ port }] } } as KubernetesObject;
}

function rawIngress(namespace: string, name: string, host: string): KubernetesObject {
  const backend = { service: { name: 'svc', port: { number: 80 } } };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace, name },
    spec: { ingressClassName: 'sluice', rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] },
  } as KubernetesObject;
}

/** An Ingress the normaliser refuses (a diagnostic, in the informer's order). */
function invalidIngress(namespace: string, name: string): KubernetesObject {
  const path = { path: '/', backend: { service: { name: 'svc', port: { number: 80 } } } }; // no pathType
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { namespace, name }, spec: { rules: [{ http: { paths: [path] } }] } } as KubernetesObject;
}

/** client-node's ListWatch cache: namespace → name → object, in insertion order; an update replaces in place. */
class FakeCache {
  readonly #objects = new Map<string, Map<string, KubernetesObject>>();
  revision = 0;

  set(object: KubernetesObject): void {
    const namespace = object.metadata!.namespace!;
    let names = this.#objects.get(namespace);
    if (names === undefined) this.#objects.set(namespace, (names = new Map()));
    names.set(object.metadata!.name!, object);
    this.revision++;
  }

  delete(namespace: string, name: string): void {
    const names = this.#objects.get(namespace);
    if (names?.delete(name) !== true) return;
    if (names.size === 0) this.#objects.delete(namespace);
    this.revision++;
  }

  /** Every object again as a new one (a relist after 410 Gone, a restarted informer). */
  relist(): void {
    for (const names of this.#objects.values()) for (const [name, object] of names) names.set(name, structuredClone(object));
    this.revision++;
  }

  list(): KubernetesObject[] {
    return [...this.#objects.values()].flatMap((names) => [...names.values()]);
  }

  has(namespace: string, name: string): boolean {
    return this.#objects.get(namespace)?.has(name) ?? false;
  }
}

function editCache(cache: FakeCache, make: (namespace: string, name: string, variant: number) => KubernetesObject, next: () => number): void {
  const roll = next();
  const namespace = pick(namespaces, next);
  const name = `o${Math.floor(next() * 40)}`;
  if (roll < 0.02) cache.relist();
  else if (roll < 0.25 && cache.has(namespace, name)) cache.delete(namespace, name);
  else if (roll < 0.3) cache.set(invalidIngress(namespace, name));
  else cache.set(make(namespace, name, Math.floor(next() * 1000)));
}

describe('the Kubernetes source\'s update builder', () => {
  it('builds what a build from nothing builds, over random edits of the informers\' caches, keeping what did not change', () => {
    for (const seed of [1, 2, 3, 4]) {
      const next = random(seed);
      const ingresses = new FakeCache();
      const services = new FakeCache();
      const kinds = (withRevisions: boolean): KindObjects[] => [
        { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', objects: () => ingresses.list(), ...(withRevisions ? { revision: ingresses.revision } : {}) },
        { kind: 'Service', apiVersion: 'v1', objects: () => services.list(), ...(withRevisions ? { revision: services.revision } : {}) },
      ];
      for (let i = 0; i < 150; i++) ingresses.set(rawIngress(pick(namespaces, next), `o${i % 40}`, `h${i}.example.com`));
      for (let i = 0; i < 20; i++) services.set(rawService(pick(namespaces, next), `o${i}`, 80));
      const builders = [new KubeUpdateBuilder(), new KubeUpdateBuilder()];
      let previous: SourceUpdate | undefined;
      let invalid = 0;
      for (let step = 0; step < 200; step++) {
        const servicesBefore = services.revision;
        const ingressesBefore = ingresses.revision;
        if (next() < 0.8) editCache(ingresses, (ns, name, v) => rawIngress(ns, name, `h${v}.example.com`), next);
        if (next() < 0.2) editCache(services, (ns, name, v) => rawService(ns, name, 80 + (v % 3)), next);
        const expected = buildKubeUpdate(kinds(false));
        invalid += expected.diagnostics.length;
        builders.forEach((builder, b) => {
          const built = builder.build(kinds(b === 0));
          expect(built, `seed ${seed}, step ${step}, builder ${b}`).toEqual(expected);
          if (b === 0 && previous !== undefined) {
            if (services.revision === servicesBefore) expect(built.update.snapshot.services).toBe(previous.snapshot.services);
            if (services.revision === servicesBefore && ingresses.revision === ingressesBefore) expect(built.update).toBe(previous);
          }
          if (b === 0) previous = built.update;
        });
      }
      expect(invalid).toBeGreaterThan(0);
    }
  });

  it('does not read an informer whose revision has not moved', () => {
    let reads = 0;
    const objects = [rawService('a', 'x', 80)];
    const kinds: KindObjects[] = [{ kind: 'Service', apiVersion: 'v1', objects: () => (reads++, objects), revision: 1 }];
    const builder = new KubeUpdateBuilder();
    const first = builder.build(kinds).update;
    expect(builder.build(kinds).update).toBe(first);
    expect(reads).toBe(1);
  });
});

describe('the manifest source\'s update builder', () => {
  /** One file's state: `names` as Services of namespace `a`, each normalised anew (a re-read file's objects are new). */
  function fileState(names: readonly string[], port: number, keep?: FileState): FileState {
    const objects = names.map((name, document) => {
      const kept = keep?.objects.find((o) => o.object.metadata.name === name);
      if (kept !== undefined) return { object: kept.object, document };
      const result = normalizeObject(rawService('a', name, port));
      if (!('object' in result)) throw new Error('test object did not normalise');
      return { object: result.object as KubeObject, document };
    });
    return { digest: names.join(','), objects, diagnostics: [] };
  }

  it('builds what a build from nothing builds, over random edits of the files, duplicates included', () => {
    for (const seed of [1, 2, 3, 4]) {
      const next = random(seed);
      const names = Array.from({ length: 120 }, (_, i) => `s${i}`);
      const files = new Map<string, FileState>([
        ['/m/big.yaml', fileState(names.slice(0, 100), 80)],
        ['/m/small.yaml', fileState(['s100'], 80)],
      ]);
      const builder = new ManifestUpdateBuilder();
      let previous: SourceUpdate | undefined;
      let previousDuplicated = false;
      for (let step = 0; step < 150; step++) {
        const unchanged = next() < 0.2;
        if (!unchanged) {
          const file = pick(['/m/big.yaml', '/m/small.yaml', '/m/extra.yaml'], next);
          const roll = next();
          if (roll < 0.15) files.delete(file);
          else {
            // Mostly one object edited (the others keep their object), sometimes a name another file holds too.
            const current = files.get(file);
            const held = current?.objects.map((o) => o.object.metadata.name) ?? [];
            const edited = pick([...held, pick(names, next)], next);
            const kept = held.filter((name) => name !== edited);
            files.set(file, fileState([...kept, edited], 80 + Math.floor(next() * 3), current));
          }
        }
        const expected = buildManifestUpdate(new Map(files));
        const built = builder.build(new Map(files));
        expect(built, `seed ${seed}, step ${step}`).toEqual(expected);
        // Unchanged files give the very same update, unless a duplicate makes every build a full one.
        const duplicated = (diagnostics: readonly { reason: string }[]) => diagnostics.some((d) => d.reason === 'DuplicateObject');
        if (unchanged && previous !== undefined && !duplicated(expected.diagnostics) && !previousDuplicated) expect(built.update).toBe(previous);
        previous = built.update;
        previousDuplicated = duplicated(expected.diagnostics);
      }
    }
  });
});
