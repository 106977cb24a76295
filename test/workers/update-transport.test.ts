// The primary → worker update transport without threads: UpdateDeltas (primary) computes what changed, the delta
// is structured-cloned as postMessage would, and the snapshot mirror (worker) rebuilds the complete update. The
// worker must hold exactly what the source emitted, with every unchanged object keeping its identity.
import { describe, expect, it } from 'vitest';
import { random } from '../support/random.ts';
import { compareNames, type KubeObject, type SourceUpdate } from '../../src/model/index.ts';
import { withoutResourceVersion } from '../../src/watch/json-by-identity.ts';
import { applyDelta } from '../../src/workers/snapshot-mirror.ts';
import { UpdateDeltas, snapshotUnchanged } from '../../src/workers/update-delta.ts';
import { Link, configMap, isDeepFrozen, listKinds, listOf, object, sourceUpdate, type ListKind, type Lists } from './transport-objects.ts';

const keyOf = (o: KubeObject): string => `${o.metadata.namespace}/${o.metadata.name}`;
const keys = (list: readonly KubeObject[]): string[] => list.map(keyOf);
const withoutVersions = (update: SourceUpdate): unknown => JSON.parse(JSON.stringify(update, withoutResourceVersion));

describe.each(listKinds)('%s: add, change, remove', (kind) => {
  const o = (namespace: string, name: string, value: string, rv?: string) => object(kind, namespace, name, value, rv);
  const lists = (objects: KubeObject[]): Lists => ({ [kind]: objects });

  it('only the added, changed or removed object travels; the worker equals the source each step', () => {
    const ax = o('a', 'x', 'one');
    const ay = o('a', 'y', 'one');
    const abx = o('a-b', 'w', 'one'); // IngressClasses are cluster-scoped: every name differs
    const link = new Link(sourceUpdate(lists([ax, ay, abx])));
    const compiles = kind !== 'endpointSlices';

    const added = o('b', 'new', 'one');
    let update = sourceUpdate(lists([ax, ay, abx, added]));
    let delta = link.send(update)!;
    expect(delta[kind]).toEqual({ upserts: [added], removed: [] });
    expect(snapshotUnchanged(delta)).toBe(!compiles);
    expect(link.worker).toEqual(update);

    const changed = o('a', 'y', 'two');
    update = sourceUpdate(lists([ax, changed, abx, added]));
    delta = link.send(update)!;
    expect(delta[kind]).toEqual({ upserts: [changed], removed: [] });
    expect(link.worker).toEqual(update);

    update = sourceUpdate(lists([changed, abx, added]));
    delta = link.send(update)!;
    expect(delta[kind]).toEqual({ upserts: [], removed: [{ namespace: ax.metadata.namespace, name: 'x' }] });
    expect(link.worker).toEqual(update);
    // Every other kind stayed empty and unchanged.
    for (const other of listKinds.filter((k) => k !== kind)) expect(delta[other]).toEqual({ upserts: [], removed: [] });
    expect('configMap' in delta).toBe(false);
  });

  it('removing the last objects leaves an empty list', () => {
    const link = new Link(sourceUpdate(lists([o('a', 'x', 'one'), o('b', 'y', 'one')])));
    const update = sourceUpdate({});
    const delta = link.send(update)!;
    expect(delta[kind].removed).toHaveLength(2);
    expect(listOf(link.worker, kind)).toEqual([]);
    expect(link.worker).toEqual(update);
  });

  it('a relist (new objects, same content) and a resourceVersion-only change send nothing', () => {
    const first = [o('a', 'x', 'one'), o('a', 'y', 'one')];
    const link = new Link(sourceUpdate(lists(first)));
    const held = listOf(link.worker, kind);
    const relisted = sourceUpdate(lists([o('a', 'x', 'one'), o('a', 'y', 'one')]));
    expect(link.send(relisted)![kind]).toEqual({ upserts: [], removed: [] });
    const bumped = sourceUpdate(lists([o('a', 'x', 'one', '2'), o('a', 'y', 'one', '7')]));
    const delta = link.send(bumped)!;
    expect(delta[kind]).toEqual({ upserts: [], removed: [] });
    expect(snapshotUnchanged(delta)).toBe(true);
    // The worker keeps its objects (and so their old resourceVersion: nothing reads it).
    expect(listOf(link.worker, kind)).toBe(held);
    expect(withoutVersions(link.worker)).toEqual(withoutVersions(bumped));
  });
});

describe('the global ConfigMap', () => {
  it('appears, changes, relists unchanged and disappears', () => {
    const link = new Link(sourceUpdate({}));
    const v1 = configMap('one');
    let delta = link.send(sourceUpdate({ configMap: v1 }))!;
    expect(delta.configMap).toEqual(v1);
    expect(snapshotUnchanged(delta)).toBe(false);
    expect(link.worker.snapshot.configMap).toEqual(v1);

    delta = link.send(sourceUpdate({ configMap: configMap('one', '9') }))!;
    expect('configMap' in delta).toBe(false);
    expect(snapshotUnchanged(delta)).toBe(true);

    const v2 = configMap('two');
    delta = link.send(sourceUpdate({ configMap: v2 }))!;
    expect(delta.configMap).toEqual(v2);
    expect(link.worker.snapshot.configMap).toEqual(v2);

    delta = link.send(sourceUpdate({ configMap: null }))!;
    expect(delta).toHaveProperty('configMap', null);
    expect(snapshotUnchanged(delta)).toBe(false);
    expect(link.worker.snapshot.configMap).toBeNull();
    expect(link.worker).toEqual(sourceUpdate({}));
  });
});

describe('the worker-side snapshot', () => {
  it('is in the order a fresh sort gives (namespace, then name; a namespace that prefixes another first)', () => {
    const link = new Link(sourceUpdate({ services: [object('services', 'b', 'x', '1')] }));
    const names: Array<[string, string]> = [['a-b', 'x'], ['a', 'y.z'], ['', 'cluster'], ['a', 'y-z'], ['a', 'y'], ['b', 'w'], ['c', 'a']];
    const services = [object('services', 'b', 'x', '1')];
    for (const [namespace, name] of names) {
      services.push(object('services', namespace, name, '1'));
      link.send(sourceUpdate({ services }));
    }
    const fresh = [...services].sort((a, b) => compareNames(a.metadata, b.metadata));
    expect(keys(link.worker.snapshot.services)).toEqual(keys(fresh));
    expect(keys(link.worker.snapshot.services)).toEqual(['/cluster', 'a/y', 'a/y-z', 'a/y.z', 'a-b/x', 'b/w', 'b/x', 'c/a']);
  });

  it('keeps every unchanged object, list and snapshot by identity across deltas; all of it frozen', () => {
    const ingresses = [object('ingresses', 'a', 'x', '1'), object('ingresses', 'a', 'y', '1'), object('ingresses', 'b', 'z', '1')];
    const slices = [object('endpointSlices', 'a', 'x', '10.0.0.1'), object('endpointSlices', 'a', 'y', '10.0.0.2')];
    const services = [object('services', 'a', 'x', 'ClusterIP')];
    const link = new Link(sourceUpdate({ ingresses, endpointSlices: slices, services }));
    const first = link.worker;
    expect(isDeepFrozen(first)).toBe(true);

    // An endpoint change: the snapshot is the very same object, and so is the untouched slice.
    link.send(sourceUpdate({ ingresses, services, endpointSlices: [slices[0]!, object('endpointSlices', 'a', 'y', '10.0.0.3')] }));
    const second = link.worker;
    expect(second.snapshot).toBe(first.snapshot);
    expect(second.endpointSlices[0]).toBe(first.endpointSlices[0]);
    expect(second.endpointSlices[1]).not.toBe(first.endpointSlices[1]);

    // An Ingress change: the other Ingresses, the Services list and the slices list are kept.
    link.send(sourceUpdate({ ingresses: [ingresses[0]!, object('ingresses', 'a', 'y', '2'), ingresses[2]!], services, endpointSlices: link.worker.endpointSlices }));
    const third = link.worker;
    expect(third.snapshot.ingresses[0]).toBe(first.snapshot.ingresses[0]);
    expect(third.snapshot.ingresses[2]).toBe(first.snapshot.ingresses[2]);
    expect(third.snapshot.ingresses[1]).not.toBe(first.snapshot.ingresses[1]);
    expect(third.snapshot.services).toBe(first.snapshot.services);
    expect(third.endpointSlices).toBe(second.endpointSlices);
    expect(isDeepFrozen(third)).toBe(true);

    // Nothing changed at all: the worker's update is the same object.
    link.send(sourceUpdate({ ingresses: [ingresses[0]!, object('ingresses', 'a', 'y', '2'), ingresses[2]!], services, endpointSlices: link.worker.endpointSlices }));
    expect(link.worker).toBe(third);
  });

  it('a delta that does not fit what the worker holds throws (the worker is then replaced from the full state)', () => {
    const held = sourceUpdate({ ingresses: [object('ingresses', 'a', 'x', '1')] });
    const delta = new UpdateDeltas();
    delta.reset(sourceUpdate({ ingresses: [object('ingresses', 'a', 'x', '1'), object('ingresses', 'a', 'y', '1')] }));
    const removal = delta.next(sourceUpdate({ ingresses: [object('ingresses', 'a', 'x', '1')] }))!;
    expect(() => applyDelta(held, removal)).toThrow(/removes a\/y, which this worker does not hold/);
  });
});

describe('an update out of namespace/name order (a source bug)', () => {
  it('is sent in full, so the worker still holds exactly what the source emitted; deltas resume once ordered', () => {
    const x = object('services', 'a', 'x', '1');
    const y = object('services', 'a', 'y', '1');
    const link = new Link(sourceUpdate({ services: [x] }));
    const unordered: SourceUpdate = { snapshot: { ...sourceUpdate({}).snapshot, services: [y, x] as never }, endpointSlices: [] };
    expect(link.send(unordered)).toBeNull();
    expect(link.worker).toEqual(unordered);
    // Diffing against an unordered list could not be walked: the next update goes in full too.
    expect(link.send(sourceUpdate({ services: [x, y] }))).toBeNull();
    expect(link.send(sourceUpdate({ services: [x] }))).not.toBeNull();
    expect(link.worker).toEqual(sourceUpdate({ services: [x] }));
  });
});

describe('an object out of order where the changed stretch meets the unchanged end', () => {
  it('is found, though the walk only looks at the stretch that changed', () => {
    const [w, x, z, zz] = ['w', 'x', 'z', 'zz'].map((name) => object('services', 'a', name, '1')) as [KubeObject, KubeObject, KubeObject, KubeObject];
    const link = new Link(sourceUpdate({ services: [w, x, z] }));
    // x replaced by zz, which sorts after the unchanged z that follows it.
    const unordered: SourceUpdate = { snapshot: { ...sourceUpdate({}).snapshot, services: [w, zz, z] as never }, endpointSlices: [] };
    expect(link.send(unordered)).toBeNull();
    expect(link.worker).toEqual(unordered);
  });
});

describe('random sequences of source updates (property)', () => {
  it.each(Array.from({ length: 12 }, (_, i) => i + 1))('seed %i: the worker deep-equals the source after every update', (seed) => {
    const rand = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
    const namespaces = ['', 'a', 'a-b', 'ab', 'b'];
    const names = ['x', 'x-1', 'x.1', 'y', 'z0'];
    const state = new Map<ListKind, Map<string, KubeObject>>(listKinds.map((kind) => [kind, new Map()]));
    let config: ReturnType<typeof configMap> | null = null;
    let version = 1;
    const update = (): SourceUpdate =>
      sourceUpdate({
        ...Object.fromEntries(listKinds.map((kind) => [kind, [...state.get(kind)!.values()]])),
        configMap: config,
      });

    let source = update();
    const link = new Link(source);
    for (let step = 0; step < 150; step++) {
      // A handful of edits per update, each of a random kind.
      for (let edits = Math.floor(rand() * 4); edits >= 0; edits--) {
        const kind = pick(listKinds);
        const objects = state.get(kind)!;
        const roll = rand();
        if (roll < 0.45) {
          const made = object(kind, pick(namespaces), pick(names), pick(['p', 'q', 'r']), String(version++));
          objects.set(keyOf(made), made); // an add, a change, or (same value) a resourceVersion-only change
        } else if (roll < 0.7 && objects.size > 0) {
          objects.delete(pick([...objects.keys()]));
        } else if (roll < 0.8) {
          for (const [key, o] of objects) objects.set(key, structuredClone(o)); // relist: new objects, same content
        } else if (roll < 0.9) {
          config = rand() < 0.3 ? null : configMap(pick(['p', 'q']), String(version++));
        }
      }
      const previousSource = source;
      const previousWorker = link.worker;
      source = update();
      expect(link.send(source)).not.toBeNull(); // a delta, not the full-update fallback
      expect(withoutVersions(link.worker)).toEqual(withoutVersions(source));
      expect(isDeepFrozen(link.worker)).toBe(true);
      // An object the source kept (same identity) is kept by the worker too.
      for (const kind of listKinds) {
        const before = new Map(listOf(previousSource, kind).map((o) => [keyOf(o), o]));
        const held = new Map(listOf(previousWorker, kind).map((o) => [keyOf(o), o]));
        for (const [i, o] of listOf(source, kind).entries()) {
          if (before.get(keyOf(o)) === o) expect(listOf(link.worker, kind)[i]).toBe(held.get(keyOf(o)));
        }
      }
    }
  });
});
