// Round robin: the default balancer (ingress-nginx's `load-balance: round_robin`). A picker is a cursor and
// nothing else — it never holds the endpoint list, so a list that changes between requests (endpoint churn)
// is simply the list the next pick reads, and the cursor keeps spreading requests evenly over it.

export class RoundRobin {
  #next: number;

  /**
   * `start` offsets the first pick. Workers and restarts each begin at a random position, so N gateway processes
   * do not all send their first request of a burst to the same pod.
   */
  constructor(start = 0) {
    this.#next = start >>> 0;
  }

  /** Index into a list of `length` endpoints; -1 when it is empty. No allocation (hot path). */
  pick(length: number): number {
    if (length <= 0) return -1;
    const index = this.#next % length;
    // Wrapping at the list length keeps the counter small (no float drift after 2^53 requests) and, when the
    // list shrinks, `% length` above still lands inside it.
    this.#next = index + 1;
    return index;
  }
}
