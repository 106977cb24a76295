// The serving side: what main.ts wires together. Everything else in proxy/ is internal.
export { TableSlot } from './table-slot.ts';
export { EndpointStore } from './endpoints/endpoint-store.ts';
export { selectEndpoints } from './endpoints/select-endpoints.ts';
export { upstreamEndpoint, type UpstreamEndpoint } from './endpoints/upstream-endpoint.ts';
export { RoundRobin } from './balancer/round-robin.ts';
export { createProxyServer, type ProxyServer, type ProxyServerOptions } from './proxy-server.ts';
export { Upstreams, type UpstreamsOptions } from './upstream/upstreams.ts';
export { proxyErrorKinds, statusFor, type ProxyErrorKind } from './errors.ts';
// Written alongside by the CLI/wiring work; re-exported so main.ts has one import for the serving side.
export { RouteUpdater, type RouteUpdaterDeps } from './route-updater.ts';
export { createStatusServer, type MetricsSource, type ReadinessProbe } from './status-server.ts';
