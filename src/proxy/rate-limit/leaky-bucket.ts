// nginx's limit_req arithmetic, transcribed from ngx_http_limit_req_module.c (ngx_http_limit_req_lookup and
// ngx_http_limit_req_expire), in its own fixed-point units: `excess` in milli-requests, `last` in ms, `rate` in
// milli-requests per second, `burst` in milli-requests. This is GCRA ("leaky bucket as a meter"). It is written
// out here rather than taken from rate-limiter-flexible because that library's limiters count fixed windows
// (points per duration): a fresh client there gets `points` requests per window and a whole new allowance at
// each window edge, whereas nginx admits burst+1 at once and then exactly one per 1/rate — the behaviour
// ingress-nginx users rely on and the issue asks to reproduce exactly.

/** One client's state in one zone. Mutable: the zone updates it in place on admission. */
export interface BucketState {
  excess: number;
  last: number;
}

/**
 * The excess after admitting one more request at `now`, or -1 when nginx answers NGX_BUSY (rejected: the state
 * is left untouched, so rejected requests consume nothing). `state` undefined = a key nginx has no node for:
 * admitted with excess 0 — which is why a fresh client gets burst+1 requests at once, not burst.
 */
export function admitExcess(state: BucketState | undefined, now: number, rate: number, burst: number): number {
  if (state === undefined) return 0;
  const ms = elapsed(state, now);
  // C: `excess = lr->excess - ctx->rate * ms / 1000 + 1000;` — integer division, operands non-negative.
  let excess = state.excess - Math.floor((rate * ms) / 1000) + 1000;
  if (excess < 0) excess = 0;
  return excess > burst ? -1 : excess;
}

/** Stores an admission computed by admitExcess (nginx: `lr->excess = excess; if (ms) lr->last = now;`). */
export function commit(state: BucketState, excess: number, now: number): void {
  const ms = elapsed(state, now);
  state.excess = excess;
  if (ms !== 0) state.last = now;
}

/** nginx: a clock that went back by more than a minute counts as 1 ms, a smaller step back as 0. */
function elapsed(state: BucketState, now: number): number {
  const ms = now - state.last;
  if (ms < -60_000) return 1;
  return ms < 0 ? 0 : ms;
}

/**
 * ngx_http_limit_req_expire's test for a node it may drop: idle for at least 60 s and fully drained. Dropping it
 * is then invisible except for the fresh-key bonus, exactly as in nginx.
 */
export function isExpired(state: BucketState, now: number, rate: number): boolean {
  const ms = Math.abs(now - state.last);
  if (ms < 60_000) return false;
  return state.excess - Math.floor((rate * ms) / 1000) <= 0;
}

/** Milliseconds until a rejected client would be admitted again (for Retry-After): excess' ≤ burst. */
export function msUntilAdmitted(state: BucketState, now: number, rate: number, burst: number): number {
  const over = state.excess + 1000 - burst;
  if (over <= 0 || rate <= 0) return 0;
  const waited = Math.max(0, now - state.last);
  return Math.max(0, Math.ceil((over * 1000) / rate) - waited);
}
