// Which pod addresses a Service port forwards to, from the Service's EndpointSlices. Pure: the same slices give
// the same list, in a stable order, so round robin is reproducible. Rules: ingress-semantics.md §1.9.
import { isIPv4, isIPv6 } from 'node:net';
import type { Endpoint, EndpointSlice, ServicePort } from '../../model/index.ts';
import { upstreamEndpoint, type UpstreamEndpoint } from './upstream-endpoint.ts';

/**
 * Selects the endpoints of one Service port from that Service's slices (the caller filters by namespace and
 * `kubernetes.io/service-name`). Ready endpoints when there are any; otherwise serving-and-terminating ones.
 */
export function selectEndpoints(slices: readonly EndpointSlice[], servicePort: ServicePort): UpstreamEndpoint[] {
  // Sluice proxies HTTP over TCP; a UDP/SCTP Service port has nothing we can connect to (ingress-nginx: same).
  if (servicePort.protocol !== 'TCP') return [];
  const ready = new Map<string, UpstreamEndpoint>();
  const terminating = new Map<string, UpstreamEndpoint>();
  for (const slice of slices) {
    const port = slicePort(slice, servicePort);
    if (port === undefined) continue;
    for (const endpoint of slice.endpoints) {
      const address = firstAddress(slice, endpoint);
      if (address === undefined) continue;
      const target = isReady(endpoint) ? ready : isServingTerminating(endpoint) ? terminating : undefined;
      if (target === undefined) continue;
      const upstream = upstreamEndpoint(address, port);
      // Slices overlap during updates ("duplicate endpoints" are normal): the union keeps one entry per ip:port.
      if (!target.has(upstream.key)) target.set(upstream.key, upstream);
    }
  }
  // KEP-1669: terminating-but-serving pods only when nothing is ready — they are still draining and answer
  // correctly, which beats a 503 during a rollout where every old pod terminates before new ones are ready.
  const chosen = ready.size > 0 ? ready : terminating;
  return [...chosen.values()].sort(byKey);
}

/** The target port for this Service port in one slice, or undefined when the slice cannot serve it. */
function slicePort(slice: EndpointSlice, servicePort: ServicePort): number | undefined {
  // FQDN slices have "no semantics defined" (deprecated) and nothing produces them for pods: ignore.
  if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') return undefined;
  const numericTarget = typeof servicePort.targetPort === 'number' ? servicePort.targetPort : undefined;
  // A slice without ports means "all ports" in the API; ingress-nginx then uses a numeric targetPort.
  if (slice.ports.length === 0) return validPort(numericTarget);
  for (const port of slice.ports) {
    if (port.name !== servicePort.name || port.protocol !== 'TCP') continue;
    // A matching port without a number is again "all ports": fall back to the numeric targetPort.
    return validPort(port.port ?? numericTarget);
  }
  // No port name matched: ingress-nginx uses a numeric targetPort (kubernetes/ingress-nginx#7390).
  return validPort(numericTarget);
}

function validPort(port: number | undefined): number | undefined {
  return port !== undefined && Number.isInteger(port) && port > 0 && port <= 65535 ? port : undefined;
}

function firstAddress(slice: EndpointSlice, endpoint: Endpoint): string | undefined {
  // Controller-made endpoints carry exactly one address and "consumers may use only the first" (API docs).
  const address = endpoint.addresses[0];
  if (address === undefined) return undefined;
  // The slice's addressType is a promise about every address in it; one that breaks it is not dialled.
  const valid = slice.addressType === 'IPv4' ? isIPv4(address) : isIPv6(address);
  return valid ? address : undefined;
}

/** `ready`: nil ⇒ true (API contract). Always false for terminating pods. */
function isReady(endpoint: Endpoint): boolean {
  return endpoint.conditions.ready ?? true;
}

/**
 * Used only when no endpoint is ready. The API says of `serving`: "If nil, consumers should defer to the ready
 * condition" — it is NOT simply "nil ⇒ true". We only get here for endpoints that are not ready, so a nil
 * `serving` defers to ready=false and the endpoint is skipped: an old API server (or a hand-written slice) that
 * marks a pod terminating without reporting serving must not attract traffic. `terminating`: nil ⇒ false.
 */
function isServingTerminating(endpoint: Endpoint): boolean {
  const { serving, terminating } = endpoint.conditions;
  return serving === true && terminating === true;
}

function byKey(a: UpstreamEndpoint, b: UpstreamEndpoint): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
