// The fake API server's storage, modelled on etcd as the API server uses it: one cluster-wide revision counter
// (every write gets the next resourceVersion, whatever its type), a current state, and a change log that
// watches replay from a resourceVersion. Compaction drops the log up to a revision: a watch or a `continue`
// token older than that gets 410 Gone "Expired", exactly the situation informers must recover from by
// relisting. The state at an older revision (a paginated list must be consistent across pages) is rebuilt by
// undoing the log backwards.
import { randomUUID } from 'node:crypto';
import type { KubeJson, ResourceType } from './resources.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  readonly rv: number;
  readonly type: ResourceType;
  readonly event: EventType;
  /** The object after the change (for DELETED: its last state, carrying the deletion's resourceVersion). */
  readonly object: KubeJson;
  /** The object before the change (absent for ADDED). */
  readonly previous: KubeJson | undefined;
}

export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

export class Store {
  /** Starts above zero: "0" means "any version" to the API, so no object may carry it. */
  #revision = 100;
  #compacted = 100;
  readonly #objects = new Map<ResourceType, Map<string, KubeJson>>();
  #log: Change[] = [];
  readonly #listeners = new Set<(change: Change) => void>();

  get revision(): number {
    return this.#revision;
  }

  get compacted(): number {
    return this.#compacted;
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get(type: ResourceType, namespace: string, name: string): KubeJson | undefined {
    const object = this.#bucket(type).get(keyOf(namespace, name));
    return object === undefined ? undefined : clone(object);
  }

  /** Every object of a type at `rv` (default: now), in key order (etcd returns keys sorted). */
  list(type: ResourceType, rv = this.#revision): KubeJson[] {
    const state = new Map(this.#bucket(type));
    for (let i = this.#log.length - 1; i >= 0 && this.#log[i]!.rv > rv; i--) {
      const change = this.#log[i]!;
      if (change.type !== type) continue;
      const key = keyOf(String(change.object.metadata['namespace'] ?? ''), String(change.object.metadata['name']));
      if (change.previous === undefined) state.delete(key);
      else state.set(key, change.previous);
    }
    return [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, object]) => clone(object));
  }

  /** Log entries after `rv`, oldest first. Undefined when `rv` is older than the compaction point. */
  changesSince(rv: number): Change[] | undefined {
    if (rv < this.#compacted) return undefined;
    return this.#log.filter((change) => change.rv > rv);
  }

  /** Creates, replaces or deletes (object undefined) one object; returns the stored object. */
  write(type: ResourceType, namespace: string, name: string, object: KubeJson | undefined): KubeJson | undefined {
    const bucket = this.#bucket(type);
    const key = keyOf(namespace, name);
    const previous = bucket.get(key);
    if (object === undefined && previous === undefined) return undefined;
    const rv = ++this.#revision;
    let stored: KubeJson;
    if (object === undefined) {
      stored = { ...clone(previous!), metadata: { ...clone(previous!.metadata), resourceVersion: String(rv) } };
      bucket.delete(key);
    } else {
      stored = clone(object);
      stored.metadata = { ...stored.metadata, resourceVersion: String(rv) };
      if (previous === undefined) {
        stored.metadata['uid'] = randomUUID();
        stored.metadata['creationTimestamp'] = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      }
      bucket.set(key, stored);
    }
    const event: EventType = object === undefined ? 'DELETED' : previous === undefined ? 'ADDED' : 'MODIFIED';
    const change: Change = { rv, type, event, object: clone(stored), previous: previous === undefined ? undefined : clone(previous) };
    this.#log.push(change);
    for (const listener of this.#listeners) listener(change);
    return clone(stored);
  }

  /** Forgets history up to now (what an API server restart does to its watch cache, or an etcd compaction). */
  compact(): void {
    this.#compacted = this.#revision;
    this.#log = [];
  }

  #bucket(type: ResourceType): Map<string, KubeJson> {
    let bucket = this.#objects.get(type);
    if (bucket === undefined) {
      bucket = new Map();
      this.#objects.set(type, bucket);
    }
    return bucket;
  }
}
