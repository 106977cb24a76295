// The endpoint an attempt goes to, shared by plain requests (forward/exchange.ts) and upgrades (upgrade/tunnel.ts):
// the backend's ready endpoints, read afresh on each attempt (an endpoint removed since the first attempt is not
// retried), in the backend's round-robin order, skipping those that already failed.
import type { BackendTarget } from '../../model/index.ts';
import type { UpstreamEndpoint } from '../endpoints/upstream-endpoint.ts';
import type { ProxyContext } from '../proxy-context.ts';

/** The next endpoint not in `tried` (undefined: none tried yet), or undefined when every one has been tried. */
export function pickEndpoint(
  ctx: ProxyContext,
  backend: BackendTarget,
  tried: readonly string[] | undefined,
): UpstreamEndpoint | undefined {
  const endpoints = ctx.endpoints.endpointsFor(backend);
  const balancer = ctx.balancers.for(backend.key);
  for (let i = 0; i < endpoints.length; i++) {
    const endpoint = endpoints[balancer.pick(endpoints.length)]!;
    if (tried === undefined || !tried.includes(endpoint.key)) return endpoint;
  }
  return undefined;
}
