// The limit-* annotations of one Ingress → the RateLimit every route of that Ingress carries (ratelimit/main.go
// Parse + template.go buildRateLimitZones/buildRateLimit). Pure; the proxy keeps the buckets, keyed by zone name.
import type { ObjectMeta, RateLimit, RequestRateLimit } from '../../model/index.ts';
import { blockListOf } from '../block-list.ts';
import type { RateLimitAnnotations } from './rate-limit.ts';

/**
 * nginx's limit_req_zone rate and limit_req burst, in its units: `rate = N * 1000 / scale` with C integer
 * division (scale 1 for r/s, 60 for r/m: limit-rpm 1 → 16 milli-requests/s, i.e. one request per 62.5 s, not
 * 60 s — exactly nginx), and `burst = limit × multiplier × 1000`.
 */
export function requestLimit(zone: string, limit: number, perSeconds: 1 | 60, multiplier: number): RequestRateLimit {
  return Object.freeze({ zone, rate: Math.trunc((limit * 1000) / perSeconds), burst: limit * multiplier * 1000 });
}

export function rateLimitFeature(meta: ObjectMeta, values: RateLimitAnnotations): RateLimit {
  // main.go zoneName: `<namespace>_<name>_<uid>`: a deleted and recreated Ingress starts with fresh budgets.
  const zone = `${meta.namespace}/${meta.name}/${meta.uid}`;
  const requests: RequestRateLimit[] = [];
  if (values.rps > 0) requests.push(requestLimit(`${zone}/rps`, values.rps, 1, values.burstMultiplier));
  if (values.rpm > 0) requests.push(requestLimit(`${zone}/rpm`, values.rpm, 60, values.burstMultiplier));
  const connections = values.connections > 0 ? Object.freeze({ zone: `${zone}/conn`, limit: values.connections }) : null;
  return Object.freeze({
    requests: Object.freeze(requests),
    connections,
    allowlist: values.allowlist.length === 0 ? null : Object.freeze({ cidrs: values.allowlist, list: blockListOf(values.allowlist) }),
    scope: meta.annotations[rateLimitScopeAnnotation]?.trim() === 'cluster' ? 'cluster' : 'node',
  });
}

/**
 * Sluice's own annotation (not under the ingress-nginx prefix, which ingress-nginx would report as unknown):
 * `cluster` makes this Ingress's limit-rps/limit-rpm one budget shared by every replica through
 * --rate-limit-store; anything else (or no store) keeps ingress-nginx's per-replica budget.
 */
export const rateLimitScopeAnnotation = 'sluice.dev/rate-limit-scope';
