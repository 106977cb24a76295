// Per-node enforcement of a route's RateLimit: the zones of every Ingress, shared by all worker threads of the
// node through SharedBuckets, as nginx's shared-memory zones are shared by its workers. nginx runs limit_req
// before limit_conn (preaccess handlers run in reverse module order), so a request refused by limit-connections
// has used its request budget, and one refused by a rate has not taken a connection.
import type { RateLimit } from '../../model/index.ts';
import { SharedBuckets, createBucketMemory } from './shared-buckets.ts';

export type Verdict =
  | { readonly admitted: true; readonly release: (() => void) | null }
  /** `retryAfterMs`: when the rate limits would admit this client again (0 for limit-connections). */
  | { readonly admitted: false; readonly kind: 'rate' | 'connections'; readonly retryAfterMs: number };

const admittedFree: Verdict = Object.freeze({ admitted: true, release: null });
const refusedConnection: Verdict = Object.freeze({ admitted: false, kind: 'connections', retryAfterMs: 0 });

export class NodeRateLimits {
  readonly buckets: SharedBuckets;
  readonly #now: () => number;

  /**
   * `memory`: the node's shared table (src/workers/ hands every worker the same one); absent: a private table.
   * `now` is the clock releases are stamped with (admissions get theirs from the caller).
   */
  constructor(memory: SharedArrayBuffer = createBucketMemory(), now: () => number = sharedClock) {
    this.buckets = new SharedBuckets(memory);
    this.#now = now;
  }

  /** Decides one request from client `key` at `now` (ms). Rejections consume nothing. */
  admit(limit: RateLimit, key: string, now: number): Verdict {
    const rejection = this.admitRequests(limit, key, now);
    if (rejection !== null) return rejection;
    return this.admitConnection(limit, key, now);
  }

  /** limit_req for every rate of the route: all must admit before any bucket is charged (nginx's `account`). */
  admitRequests(limit: RateLimit, key: string, now: number): Verdict | null {
    if (limit.requests.length === 0) return null;
    const retryAfterMs = this.buckets.admitRequests(limit.requests, key, now);
    return retryAfterMs < 0 ? null : { admitted: false, kind: 'rate', retryAfterMs };
  }

  /** limit_conn: counts requests in progress per client; the verdict's `release` must run when the request ends. */
  admitConnection(rateLimit: RateLimit, key: string, now: number = this.#now()): Verdict {
    const limit = rateLimit.connections;
    if (limit === null) return admittedFree;
    if (!this.buckets.acquireConnection(limit.zone, limit.limit, key, now)) return refusedConnection;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.buckets.releaseConnection(limit.zone, key, this.#now());
      },
    };
  }
}

/**
 * Milliseconds on a clock every thread of the process agrees on (performance.now() alone starts at each worker
 * thread's own start), and which does not step with wall-clock corrections after the thread starts.
 */
export function sharedClock(): number {
  return Math.floor(performance.timeOrigin + performance.now());
}
