import { isIPv4, isIPv6 } from 'node:net';
import type { AddressType, Endpoint, EndpointPort, EndpointSlice } from '../../model/index.ts';
import { FieldError, at, child, compact, fields, list, oneOf, optBool, optFields, optOneOf, optPort, optString, stringList } from './fields.ts';
import { normalizeMeta } from './metadata.ts';
import { protocols } from './service.ts';

// discovery.k8s.io/v1 EndpointSlice. Addresses are checked against addressType because the proxy dials them:
// a hostname smuggled into an IPv4 slice would otherwise turn into a DNS lookup at request time.

const addressTypes: readonly AddressType[] = ['IPv4', 'IPv6', 'FQDN'];
const serviceNameLabel = 'kubernetes.io/service-name';

export function normalizeEndpointSlice(raw: Readonly<Record<string, unknown>>): EndpointSlice {
  const metadata = normalizeMeta(raw['metadata'], true, 'subdomain');
  const addressType = oneOf(raw['addressType'], addressTypes, 'addressType');
  return {
    kind: 'EndpointSlice',
    metadata,
    serviceName: metadata.labels[serviceNameLabel] ?? '',
    addressType,
    endpoints: list(raw['endpoints'], 'endpoints').map((e, i) => endpoint(e, at('endpoints', i), addressType)),
    ports: list(raw['ports'], 'ports').map((p, i) => endpointPort(p, at('ports', i))),
  };
}

function endpoint(raw: unknown, path: string, addressType: AddressType): Endpoint {
  const e = fields(raw, path);
  const addressesPath = child(path, 'addresses');
  const addresses = stringList(e['addresses'], addressesPath);
  if (addresses.length === 0) throw new FieldError(addressesPath, 'required');
  addresses.forEach((address, i) => checkAddress(address, addressType, at(addressesPath, i)));
  const c = optFields(e['conditions'], child(path, 'conditions')) ?? {};
  return compact({
    addresses,
    conditions: compact({
      ready: optBool(c['ready'], child(path, 'conditions.ready')),
      serving: optBool(c['serving'], child(path, 'conditions.serving')),
      terminating: optBool(c['terminating'], child(path, 'conditions.terminating')),
    }),
    nodeName: optString(e['nodeName'], child(path, 'nodeName')),
    zone: optString(e['zone'], child(path, 'zone')),
  });
}

function checkAddress(address: string, addressType: AddressType, path: string): void {
  if (addressType === 'IPv4' && !isIPv4(address)) throw new FieldError(path, 'must be an IPv4 address');
  if (addressType === 'IPv6' && !isIPv6(address)) throw new FieldError(path, 'must be an IPv6 address');
  if (address === '') throw new FieldError(path, 'required');
}

function endpointPort(raw: unknown, path: string): EndpointPort {
  const p = fields(raw, path);
  return compact({
    name: optString(p['name'], child(path, 'name')) ?? '',
    port: optPort(p['port'], child(path, 'port')),
    protocol: optOneOf(p['protocol'], protocols, child(path, 'protocol')) ?? 'TCP',
  });
}
