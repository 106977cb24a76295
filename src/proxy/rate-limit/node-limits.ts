// Per-node enforcement of a route's RateLimit: the zones of every Ingress, as nginx's shared-memory zones are
// per node. nginx runs limit_req before limit_conn (preaccess handlers run in reverse module order), so a request
// refused by limit-connections has used its request budget, and one refused by a rate has not taken a connection.
import type { RateLimit } from '../../model/index.ts';
import { msUntilAdmitted } from './leaky-bucket.ts';
import { RequestZone, defaultZoneCapacity } from './request-zone.ts';

export type Verdict =
  | { readonly admitted: true; readonly release: (() => void) | null }
  /** `retryAfterMs`: when the rate limits would admit this client again (0 for limit-connections). */
  | { readonly admitted: false; readonly kind: 'rate' | 'connections'; readonly retryAfterMs: number };

const admittedFree: Verdict = Object.freeze({ admitted: true, release: null });

export class NodeRateLimits {
  readonly #zones = new Map<string, RequestZone>();
  readonly #connections = new Map<string, Map<string, number>>();
  readonly #capacity: number;

  constructor(capacity = defaultZoneCapacity) {
    this.#capacity = capacity;
  }

  /** Decides one request from client `key` at `now` (ms, monotonic). Rejections consume nothing. */
  admit(limit: RateLimit, key: string, now: number): Verdict {
    const rejection = this.admitRequests(limit, key, now);
    if (rejection !== null) return rejection;
    return this.admitConnection(limit, key);
  }

  /** limit_req for every rate of the route: all must admit before any bucket is charged (nginx's `account`). */
  admitRequests(limit: RateLimit, key: string, now: number): Verdict | null {
    const requests = limit.requests;
    if (requests.length === 1) {
      const zone = this.zone(requests[0]!.zone, requests[0]!.rate, requests[0]!.burst);
      const excess = zone.check(key, now);
      if (excess < 0) return rateRejection([zone], key, now);
      zone.admit(key, excess, now);
      return null;
    }
    const zones = requests.map((r) => this.zone(r.zone, r.rate, r.burst));
    const excesses = zones.map((zone) => zone.check(key, now));
    if (excesses.some((excess) => excess < 0)) return rateRejection(zones.filter((_, i) => excesses[i]! < 0), key, now);
    zones.forEach((zone, i) => zone.admit(key, excesses[i]!, now));
    return null;
  }

  /** The zone's memory, created on first use; a changed rate or burst applies to the kept state, as on an nginx reload. */
  zone(name: string, rate: number, burst: number): RequestZone {
    let zone = this.#zones.get(name);
    if (zone === undefined || zone.rate !== rate || zone.burst !== burst) {
      zone = new RequestZone(rate, burst, this.#capacity, zone);
      this.#zones.set(name, zone);
    }
    return zone;
  }

  /** limit_conn: counts requests in progress per client; the verdict's `release` must run when the request ends. */
  admitConnection(rateLimit: RateLimit, key: string): Verdict {
    const limit = rateLimit.connections;
    if (limit === null) return admittedFree;
    let counts = this.#connections.get(limit.zone);
    if (counts === undefined) this.#connections.set(limit.zone, (counts = new Map()));
    const inProgress = counts.get(key) ?? 0;
    if (inProgress >= limit.limit) return { admitted: false, kind: 'connections', retryAfterMs: 0 };
    counts.set(key, inProgress + 1);
    const zoneCounts = counts;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        const left = (zoneCounts.get(key) ?? 1) - 1;
        // Deleting at zero keeps the map as small as the number of clients with a request in progress.
        if (left <= 0) zoneCounts.delete(key);
        else zoneCounts.set(key, left);
      },
    };
  }
}

export function rateRejection(zones: readonly RequestZone[], key: string, now: number): Verdict {
  let retryAfterMs = 0;
  for (const zone of zones) {
    const state = zone.state(key);
    if (state !== undefined) retryAfterMs = Math.max(retryAfterMs, msUntilAdmitted(state, now, zone.rate, zone.burst));
  }
  return { admitted: false, kind: 'rate', retryAfterMs };
}
