// Balancer state per backend. It outlives endpoint-list changes (that is what keeps round robin even under
// churn) but not the backend itself: entries for backends no longer in the routing table are pruned.
import type { RouteTable } from '../../model/index.ts';
import { RoundRobin } from './round-robin.ts';

export class Balancers {
  #byBackend = new Map<string, RoundRobin>();
  #prunedFor: RouteTable | undefined;
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  for(backendKey: string): RoundRobin {
    let balancer = this.#byBackend.get(backendKey);
    if (balancer === undefined) {
      balancer = new RoundRobin(Math.floor(this.#random() * 0x7fffffff));
      this.#byBackend.set(backendKey, balancer);
    }
    return balancer;
  }

  /**
   * Drops state of backends the table does not reference. Called with the current table on every request; the
   * identity check makes that one comparison except right after a table swap.
   */
  pruneFor(table: RouteTable): void {
    if (table === this.#prunedFor) return;
    this.#prunedFor = table;
    for (const key of this.#byBackend.keys()) {
      if (!table.backends.has(key)) this.#byBackend.delete(key);
    }
  }

  get size(): number {
    return this.#byBackend.size;
  }
}
