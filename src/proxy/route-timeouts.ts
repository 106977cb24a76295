// The proxy-*-timeout a request runs with: its route's annotation (RouteFeatures, per Ingress), else the global
// value of the table the request started with (ConfigMap / flag), as nginx's location directive overrides the
// http block's. Number reads only: nothing is allocated per request.
import type { GlobalSettings, Route } from '../model/index.ts';

export function readTimeoutOf(route: Route, settings: GlobalSettings): number {
  return route.features?.proxyReadTimeoutMs ?? settings.proxyReadTimeoutMs;
}

export function sendTimeoutOf(route: Route, settings: GlobalSettings): number {
  return route.features?.proxySendTimeoutMs ?? settings.proxySendTimeoutMs;
}
