// The serving side's view of EndpointSlices. Fed directly by the source on every change (endpoint churn is too
// frequent to recompile routes); answers "which pods for this backend" from a cache that is recomputed only for
// Services whose slices actually changed. Selection rules live in the pure selectEndpoints().
import type { BackendTarget, EndpointSlice, ServicePort } from '../../model/index.ts';
import { sameSlices } from './same-slices.ts';
import { selectEndpoints } from './select-endpoints.ts';
import type { UpstreamEndpoint } from './upstream-endpoint.ts';

const none: readonly UpstreamEndpoint[] = Object.freeze([]);

interface CacheEntry {
  readonly serviceKey: string;
  readonly servicePort: ServicePort;
  endpoints: readonly UpstreamEndpoint[];
}

export class EndpointStore {
  /** Slices per `namespace/service`, sorted by slice name so equality does not depend on delivery order. */
  readonly #slicesByService = new Map<string, readonly EndpointSlice[]>();
  /** The list the last update() was given, and its slices: the next is compared with it by identity. */
  #slices: readonly EndpointSlice[] = [];
  #present = new Set<EndpointSlice>();
  /** Selected endpoints per BackendTarget.key; filled lazily by endpointsFor(). */
  #cache = new Map<string, CacheEntry>();
  #listeners = new Set<() => void>();
  #generation = 0;

  /** Incremented by every update() that changed some Service's endpoints (tests await it; metrics read it). */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Replaces all slices. Lists of unchanged Services keep their identity; changed ones are recomputed now. The
   * list and its slices are taken as immutable (sources freeze them): the same list or object again is no change.
   *
   * Identity first: sources (and a worker's snapshot mirror) keep the object of every unchanged slice, so only
   * slices that arrived or departed by identity are looked at, and only their Services regrouped; a new object
   * with equal content still leaves its Service unchanged (sameSlices). Measured with 1 000 slices, one changed
   * per update, interleaved runs: 274–299 → 83–86 µs median (every slice regrouped before); the same list again
   * (an Ingress-only update in a worker): ≈280 µs → 0.
   */
  update(slices: readonly EndpointSlice[]): void {
    if (slices === this.#slices) return;
    const departed = new Set(this.#present);
    const present = new Set<EndpointSlice>();
    const arrived = new Map<string, EndpointSlice[]>();
    for (const slice of slices) {
      if (present.has(slice)) continue; // the same object listed twice counts once
      present.add(slice);
      // A slice without the service-name label belongs to no Service (custom controllers); nothing routes to it.
      if (departed.delete(slice) || slice.serviceName === '') continue;
      const key = serviceKeyOf(slice);
      const list = arrived.get(key);
      if (list === undefined) arrived.set(key, [slice]);
      else list.push(slice);
    }
    this.#slices = slices;
    this.#present = present;
    const touched = new Set(arrived.keys());
    for (const slice of departed) if (slice.serviceName !== '') touched.add(serviceKeyOf(slice));
    const changed = new Set<string>();
    for (const serviceKey of touched) {
      const previous = this.#slicesByService.get(serviceKey) ?? [];
      const kept = departed.size === 0 ? previous : previous.filter((slice) => !departed.has(slice));
      const list = [...kept, ...(arrived.get(serviceKey) ?? [])].sort(bySliceName);
      if (list.length === 0) this.#slicesByService.delete(serviceKey);
      else this.#slicesByService.set(serviceKey, list);
      if (!sameSlices(previous, list)) changed.add(serviceKey);
    }
    if (changed.size === 0) return;
    this.#recompute(changed);
    this.#generation++;
    for (const listener of this.#listeners) listener();
  }

  /** The current endpoints of a backend: ready ones, else serving-and-terminating ones; empty ⇒ 503. */
  endpointsFor(backend: BackendTarget): readonly UpstreamEndpoint[] {
    const cached = this.#cache.get(backend.key);
    // The key names the Service port, but a Service edit can change its targetPort under the same key: the
    // entry is only valid for the port definition it was selected with (three field compares, no allocation).
    if (cached !== undefined && samePortSpec(cached.servicePort, backend.servicePort)) return cached.endpoints;
    const serviceKey = `${backend.namespace}/${backend.service}`;
    const slices = this.#slicesByService.get(serviceKey);
    // Services without slices are not cached: their answer is a constant and caching them would let lookups
    // for arbitrary backends grow the map.
    if (slices === undefined) return none;
    const endpoints = freeze(selectEndpoints(slices, backend.servicePort));
    this.#cache.set(backend.key, { serviceKey, servicePort: backend.servicePort, endpoints });
    return endpoints;
  }

  /** Every ip:port some cached backend currently routes to: upstream pools outside this set can be closed. */
  liveEndpointKeys(): Set<string> {
    const keys = new Set<string>();
    for (const entry of this.#cache.values()) {
      for (const endpoint of entry.endpoints) keys.add(endpoint.key);
    }
    return keys;
  }

  /** Called after each update() that changed endpoints. Returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #recompute(changed: ReadonlySet<string>): void {
    // Eager for cached backends, so liveEndpointKeys() is exact right after the update and pools of endpoints
    // that stay are not closed and reopened. Entries of Services that lost all slices are dropped, which keeps
    // the cache bounded by what exists.
    for (const [backendKey, entry] of this.#cache) {
      if (!changed.has(entry.serviceKey)) continue;
      const slices = this.#slicesByService.get(entry.serviceKey);
      if (slices === undefined) this.#cache.delete(backendKey);
      else entry.endpoints = freeze(selectEndpoints(slices, entry.servicePort));
    }
  }
}

function serviceKeyOf(slice: EndpointSlice): string {
  return `${slice.metadata.namespace}/${slice.serviceName}`;
}

function bySliceName(a: EndpointSlice, b: EndpointSlice): number {
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

function samePortSpec(a: ServicePort, b: ServicePort): boolean {
  return a === b || (a.name === b.name && a.targetPort === b.targetPort && a.protocol === b.protocol);
}

function freeze(endpoints: UpstreamEndpoint[]): readonly UpstreamEndpoint[] {
  return endpoints.length === 0 ? none : Object.freeze(endpoints);
}
