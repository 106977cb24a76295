// Structural equality of two slice lists, so an update that re-delivers unchanged slices (every manifest
// reload, every informer resync) keeps the cached endpoint lists — and with them the round-robin positions and
// warm upstream connections. Field by field instead of JSON: no string building on a large cluster's update.
import type { Endpoint, EndpointPort, EndpointSlice } from '../../model/index.ts';

export function sameSlices(a: readonly EndpointSlice[], b: readonly EndpointSlice[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!sameSlice(a[i]!, b[i]!)) return false;
  }
  return true;
}

function sameSlice(a: EndpointSlice, b: EndpointSlice): boolean {
  if (a === b) return true;
  return (
    a.metadata.name === b.metadata.name &&
    a.addressType === b.addressType &&
    sameList(a.ports, b.ports, samePort) &&
    sameList(a.endpoints, b.endpoints, sameEndpoint)
  );
}

function samePort(a: EndpointPort, b: EndpointPort): boolean {
  return a.name === b.name && a.port === b.port && a.protocol === b.protocol;
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  const ca = a.conditions;
  const cb = b.conditions;
  return (
    ca.ready === cb.ready &&
    ca.serving === cb.serving &&
    ca.terminating === cb.terminating &&
    sameList(a.addresses, b.addresses, (x, y) => x === y)
  );
}

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!same(a[i]!, b[i]!)) return false;
  }
  return true;
}
