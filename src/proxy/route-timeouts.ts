// The proxy-*-timeout a request runs with: its route's annotation (RouteFeatures, per Ingress), else the global
// value of the table the request started with (ConfigMap / flag), as nginx's location directive overrides the
// http block's. Number reads only: nothing is allocated per request.
import type { GlobalSettings, Route } from '../model/index.ts';

export function connectTimeoutOf(route: Route, settings: GlobalSettings): number {
  return route.features?.proxyConnectTimeoutMs ?? settings.proxyConnectTimeoutMs;
}

/**
 * The route's own proxy-connect-timeout, which picks the upstream pools its requests use (upstream-pools.ts);
 * null when it has none or the same as the table's, so that it shares the global value's pools.
 */
export function ownConnectTimeoutOf(route: Route, settings: GlobalSettings): number | null {
  const own = route.features?.proxyConnectTimeoutMs ?? null;
  return own === settings.proxyConnectTimeoutMs ? null : own;
}

export function readTimeoutOf(route: Route, settings: GlobalSettings): number {
  return route.features?.proxyReadTimeoutMs ?? settings.proxyReadTimeoutMs;
}

export function sendTimeoutOf(route: Route, settings: GlobalSettings): number {
  return route.features?.proxySendTimeoutMs ?? settings.proxySendTimeoutMs;
}
