// The memory of one limit_req zone: client key → bucket, bounded like nginx's shared-memory zone. nginx keeps its
// nodes in an LRU queue; before creating a node it drops up to two idle-and-drained nodes from the LRU end, and
// when the zone is full it drops the oldest node whatever its state. So a flood of distinct addresses costs at
// most `capacity` entries.
import { admitExcess, commit, isExpired, type BucketState } from './leaky-bucket.ts';

/**
 * ingress-nginx's zones are 5 MB (defSharedSize "5m"); on 64-bit nginx a limit_req node for an IPv4 key takes a
 * 128-byte slab chunk, so a zone holds about 40 000 clients. Sluice keeps the same bound.
 */
export const defaultZoneCapacity = 40_000;

/** A client's bucket, linked into the zone's LRU queue (head = most recent), as nginx's ngx_queue_t. */
interface Node extends BucketState {
  readonly key: string;
  newer: Node | null;
  older: Node | null;
}

export class RequestZone {
  #nodes = new Map<string, Node>();
  /** Most and least recently used. A linked list, not Map order: deleting from a Map's front leaves holes that
   *  every later iteration from the front walks over again (measured: a million clients took 54 s). */
  #newest: Node | null = null;
  #oldest: Node | null = null;
  readonly rate: number;
  readonly burst: number;
  readonly #capacity: number;

  /** `previous`: the zone's memory under its former rate/burst, kept (nginx keeps a zone's nodes across reloads). */
  constructor(rate: number, burst: number, capacity = defaultZoneCapacity, previous?: RequestZone) {
    this.rate = rate;
    this.burst = burst;
    this.#capacity = capacity;
    if (previous !== undefined) {
      this.#nodes = previous.#nodes;
      this.#newest = previous.#newest;
      this.#oldest = previous.#oldest;
    }
  }

  get size(): number {
    return this.#nodes.size;
  }

  state(key: string): BucketState | undefined {
    return this.#nodes.get(key);
  }

  /** The excess admitting one request would leave, or -1 when nginx would reject it. Changes nothing. */
  check(key: string, now: number): number {
    return admitExcess(this.#nodes.get(key), now, this.rate, this.burst);
  }

  /** Records an admission `check` allowed, moving the key to the fresh end of the LRU queue. */
  admit(key: string, excess: number, now: number): void {
    const node = this.#nodes.get(key);
    if (node !== undefined) {
      commit(node, excess, now);
      this.#unlink(node);
      this.#pushNewest(node);
      return;
    }
    this.#expire(now, true);
    if (this.#nodes.size >= this.#capacity) this.#expire(now, false);
    const fresh: Node = { key, excess, last: now, newer: null, older: null };
    this.#nodes.set(key, fresh);
    this.#pushNewest(fresh);
  }

  /** ngx_http_limit_req_expire(ctx, n): examine at most three LRU-end nodes; unless `onlyIdle`, drop the first anyway. */
  #expire(now: number, onlyIdle: boolean): void {
    for (let n = onlyIdle ? 1 : 0; n < 3; n++) {
      const node = this.#oldest;
      if (node === null) return;
      if (n !== 0 && !isExpired(node, now, this.rate)) return;
      this.#unlink(node);
      this.#nodes.delete(node.key);
    }
  }

  #pushNewest(node: Node): void {
    node.older = this.#newest;
    node.newer = null;
    if (this.#newest !== null) this.#newest.newer = node;
    this.#newest = node;
    this.#oldest ??= node;
  }

  #unlink(node: Node): void {
    if (node.newer !== null) node.newer.older = node.older;
    else this.#newest = node.older;
    if (node.older !== null) node.older.newer = node.newer;
    else this.#oldest = node.newer;
    node.newer = node.older = null;
  }
}
