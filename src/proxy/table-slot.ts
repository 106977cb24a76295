// The routing table currently served. Swapping is one reference assignment: a request reads `current` once
// when it starts and keeps that table to the end, so a swap never changes the route of a request in flight
// (the same atomic-handler idea as Traefik's handler_switcher.go).
import type { RouteTable } from '../model/index.ts';

export class TableSlot {
  #current: RouteTable;
  #generation = 0;

  constructor(initial: RouteTable) {
    this.#current = initial;
  }

  get current(): RouteTable {
    return this.#current;
  }

  /** Number of swaps so far (tests await it instead of sleeping). */
  get generation(): number {
    return this.#generation;
  }

  swap(next: RouteTable): void {
    this.#current = next;
    this.#generation++;
  }
}
