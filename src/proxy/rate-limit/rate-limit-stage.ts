// Stage 3 of a request or upgrade (request-flow.ts): the route's limit-* annotations, in nginx's preaccess phase. Only
// routes with a RateLimit get here. Per node by default; cluster-scoped rates go to the Redis store and fall back
// to per-node limiting (same arithmetic) whenever it is not connected, fails or is slower than its timeout. The key is the client address (nginx $binary_remote_addr); an allow-listed
// client has an empty key, which nginx does not count, so it is never limited.
import type { ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { GlobalSettings, RateLimit } from '../../model/index.ts';
import { statusReply } from '../errors.ts';
import { sendRawReply } from '../respond.ts';
import { NodeRateLimits, sharedClock, type Verdict } from './node-limits.ts';
import type { RedisRateStore } from './redis-store.ts';

export interface RateLimitOptions {
  /** --rate-limit-store: where cluster-scoped limits live; null: every limit is per node. */
  readonly store?: RedisRateStore | null;
  readonly logger?: Logger;
  /** Milliseconds; injectable for tests. */
  readonly now?: () => number;
  /** The node's shared rate-limit memory (every worker thread gets the same); absent: a private one. */
  readonly memory?: SharedArrayBuffer;
}

export class RateLimits {
  readonly node: NodeRateLimits;
  readonly #store: RedisRateStore | null;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  /** Cluster-scoped requests limited per node since start because the store failed (the fallback's measure). */
  fallbacks = 0;
  /** Requests refused since start, by limit-rps/-rpm ('rate') and by limit-connections ('connections'). */
  readonly rejected = { rate: 0, connections: 0 };
  #storeFailing = false;

  constructor(options: RateLimitOptions) {
    this.#store = options.store ?? null;
    this.#logger = options.logger;
    this.#now = options.now ?? sharedClock;
    this.node = new NodeRateLimits(options.memory, this.#now);
  }

  /**
   * true: go on now. false: answered with the limit status, or — for a cluster-scoped limit — decided
   * asynchronously, in which case `resume` runs if the request is admitted. `address`: the client address after
   * real-IP processing (client-address.ts), nginx's $binary_remote_addr. `out` is where the answer goes (a
   * ServerResponse, or an upgrade request's raw socket) and `outlet` how to write it and see it close.
   * `settings`: the request's table's, whose limit-req-status-code / limit-conn-status-code answer a refusal.
   */
  enforce<O>(limit: RateLimit, address: string, out: O, outlet: LimitOutlet<O>, resume: () => void, settings: GlobalSettings): boolean {
    if (limit.allowlist !== null && isListed(limit.allowlist.list, address)) return true;
    if (limit.scope === 'cluster' && limit.requests.length > 0 && this.#store !== null) {
      if (this.#store.ready) {
        this.#enforceShared(this.#store, limit, address, out, outlet, resume, settings);
        return false;
      }
      this.#storeFailed('not connected');
    }
    return this.#finish(this.node.admit(limit, address, this.#now()), out, outlet, settings);
  }

  #enforceShared<O>(
    store: RedisRateStore, limit: RateLimit, address: string, out: O, outlet: LimitOutlet<O>, resume: () => void, settings: GlobalSettings,
  ): void {
    store.admit(limit, address).then(
      (shared) => {
        this.#storeRecovered();
        // The client left while the store answered: count nothing — a connection admitted now would never see
        // its 'close' (already emitted), so its slot would never be released.
        if (outlet.closed(out)) return;
        const verdict: Verdict = shared.admitted
          ? this.node.admitConnection(limit, address)
          : { admitted: false, kind: 'rate', retryAfterMs: shared.retryAfterMs };
        if (this.#finish(verdict, out, outlet, settings)) resume();
      },
      (error: unknown) => {
        // Unreachable or slower than its timeout: never fail the request, limit it per node instead.
        this.#storeFailed(error instanceof Error ? error.message : String(error));
        if (outlet.closed(out)) return; // as above
        if (this.#finish(this.node.admit(limit, address, this.#now()), out, outlet, settings)) resume();
      },
    ).catch((error: unknown) => {
      this.#logger?.error({ err: error }, 'request handler failed');
      outlet.failed(out);
    });
  }

  #finish<O>(verdict: Verdict, out: O, outlet: LimitOutlet<O>, settings: GlobalSettings): boolean {
    if (verdict.admitted) {
      if (verdict.release !== null) outlet.onClose(out, verdict.release);
      return true;
    }
    const status = verdict.kind === 'rate' ? settings.limitReqStatusCode : settings.limitConnStatusCode;
    this.rejected[verdict.kind]++;
    outlet.limited(out, status, verdict.retryAfterMs);
    return false;
  }

  #storeFailed(why: string): void {
    this.fallbacks++;
    if (this.#storeFailing) return;
    this.#storeFailing = true;
    this.#logger?.warn({ why }, 'rate-limit store unreachable: cluster-scoped limits are applied per node until it answers again');
  }

  #storeRecovered(): void {
    if (!this.#storeFailing) return;
    this.#storeFailing = false;
    this.#logger?.info({ fallbacks: this.fallbacks }, 'rate-limit store answers again: cluster-scoped limits are shared again');
  }
}

function isListed(list: BlockList, address: string): boolean {
  return address !== '' && list.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
}

/** How the limiter answers and watches one request: a ServerResponse (httpOutlet) or a raw socket (upgrades). */
export interface LimitOutlet<O> {
  /** The client is gone ('close' already emitted or about to be): admitting now would leak a connection slot. */
  closed(out: O): boolean;
  /** Runs `release` when the request ends — for an upgrade, when its tunnel closes. */
  onClose(out: O, release: () => void): void;
  limited(out: O, status: number, retryAfterMs: number): void;
  /** A bug in the asynchronous path: 500, or cut the connection if the answer already started. */
  failed(out: O): void;
}

export const httpLimitOutlet: LimitOutlet<ServerResponse> = {
  closed: (res) => res.destroyed || res.closed,
  onClose: (res, release) => void res.once('close', release),
  limited: sendLimited,
  failed: (res) => (res.headersSent ? void res.destroy() : sendLimited(res, 500, 0)),
};

export const rawLimitOutlet: LimitOutlet<Duplex> = {
  closed: (socket) => socket.destroyed,
  onClose: (socket, release) => void socket.once('close', release),
  limited: sendRawLimited,
  failed: (socket) => sendRawLimited(socket, 500, 0),
};

/** The proxy's own answer for the status (errors.ts), as nginx's own error page for it; 429 says when to come back. */
export function sendLimited(res: ServerResponse, status: number, retryAfterMs: number): void {
  const reply = statusReply(status);
  // The frozen list is only read by writeHead (node:http copies it into the header block).
  const headers = status === 429 ? [...reply.headers, 'Retry-After', retryAfterOf(retryAfterMs)] : (reply.headers as string[]);
  res.writeHead(status, headers);
  res.end(reply.body);
}

/** The same answer on an upgrade request's socket (it left node:http's control), then closes it. */
export function sendRawLimited(socket: Duplex, status: number, retryAfterMs: number): void {
  const extra = status === 429 ? `Retry-After: ${retryAfterOf(retryAfterMs)}\r\n` : '';
  sendRawReply(socket, statusReply(status), extra);
}

/** RFC 6585: a 429 MAY say how long to wait; whole seconds, at least 1 (a 0 would invite an immediate retry). */
function retryAfterOf(retryAfterMs: number): string {
  return String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
}

/**
 * The limiter of a proxy. Keyed by the TableSlot because both listeners (HTTP and HTTPS) share one slot, and so
 * share the zones, as nginx's zones are shared by all its servers; proxies built in tests each get their own.
 */
const limiters = new WeakMap<object, RateLimits>();

export function attachRateLimits(tableSlot: object, limits: RateLimits): void {
  limiters.set(tableSlot, limits);
}

export function rateLimitsFor(tableSlot: object): RateLimits {
  let limits = limiters.get(tableSlot);
  if (limits === undefined) limiters.set(tableSlot, (limits = new RateLimits({})));
  return limits;
}
