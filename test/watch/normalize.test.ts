import { describe, expect, it } from 'vitest';
import { expandList, normalizeObject } from '../../src/watch/index.ts';

const backend = { service: { name: 'svc', port: { number: 80 } } };
const meta = { name: 'web' };
const defaultMeta = { namespace: 'default', name: 'web', uid: '', resourceVersion: '', creationTimestamp: '', annotations: {}, labels: {} };

function ingress(spec: unknown, metadata: unknown = meta): Record<string, unknown> {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata, spec };
}
function oneRule(path: Record<string, unknown>): unknown {
  return { rules: [{ host: 'a.example.com', http: { paths: [path] } }] };
}
function service(spec: unknown): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: meta, spec };
}
function slice(fields: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta, addressType: 'IPv4', ...fields };
}
function secret(fields: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Secret', metadata: meta, ...fields };
}
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('normalizeObject: valid objects, defaults applied', () => {
  it.each<[string, unknown, unknown]>([
    [
      'Ingress with every field',
      ingress(
        {
          ingressClassName: 'sluice',
          defaultBackend: { resource: { apiGroup: 'k8s.example.com', kind: 'Bucket', name: 'static' } },
          rules: [
            { host: 'a.example.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend }, { pathType: 'ImplementationSpecific', backend: { service: { name: 'svc', port: { name: 'http' } } } }] } },
            { host: 'b.example.com' },
          ],
          tls: [{ hosts: ['a.example.com'], secretName: 'a-tls' }, {}],
        },
        { name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '42', creationTimestamp: '2024-01-02T05:04:05+02:00', annotations: { 'a/b': 'c' }, labels: { app: 'web' } },
      ),
      {
        kind: 'Ingress',
        metadata: { namespace: 'shop', name: 'web', uid: 'u-1', resourceVersion: '42', creationTimestamp: '2024-01-02T03:04:05Z', annotations: { 'a/b': 'c' }, labels: { app: 'web' } },
        spec: {
          ingressClassName: 'sluice',
          defaultBackend: { resource: { apiGroup: 'k8s.example.com', kind: 'Bucket', name: 'static' } },
          rules: [
            { host: 'a.example.com', paths: [{ path: '/api', pathType: 'Prefix', backend }, { path: '', pathType: 'ImplementationSpecific', backend: { service: { name: 'svc', port: { name: 'http' } } } }] },
            { host: 'b.example.com', paths: [] },
          ],
          tls: [{ hosts: ['a.example.com'], secretName: 'a-tls' }, { hosts: [], secretName: '' }],
        },
      },
    ],
    [
      'Ingress with only a defaultBackend, namespace defaulted',
      ingress({ defaultBackend: backend }),
      { kind: 'Ingress', metadata: defaultMeta, spec: { defaultBackend: backend, rules: [], tls: [] } },
    ],
    [
      'IngressClass is cluster-scoped (a namespace given is dropped)',
      { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'sluice', namespace: 'x' }, spec: { controller: 'sluice.dev/ingress-controller' } },
      { kind: 'IngressClass', metadata: { ...defaultMeta, namespace: '', name: 'sluice' }, spec: { controller: 'sluice.dev/ingress-controller' } },
    ],
    [
      'Service: type ClusterIP, protocol TCP, targetPort = port, name ""',
      service({ ports: [{ port: 8000 }] }),
      { kind: 'Service', metadata: defaultMeta, spec: { type: 'ClusterIP', ports: [{ name: '', port: 8000, targetPort: 8000, protocol: 'TCP' }] } },
    ],
    [
      'Service with named ports and a named targetPort',
      service({ type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }, { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' }] }),
      { kind: 'Service', metadata: defaultMeta, spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }, { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' }] } },
    ],
    [
      'ExternalName Service without spec.ports',
      service({ type: 'ExternalName', externalName: 'db.example.com' }),
      { kind: 'Service', metadata: defaultMeta, spec: { type: 'ExternalName', ports: [], externalName: 'db.example.com' } },
    ],
    [
      'EndpointSlice: serviceName from the label, conditions kept as written (nil stays absent)',
      slice({
        metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
        endpoints: [{ addresses: ['127.0.0.2'], conditions: { ready: false, serving: true, terminating: true }, nodeName: 'n1', zone: 'z1' }, { addresses: ['127.0.0.3'] }],
        ports: [{ name: 'http', port: 9000, protocol: 'TCP', appProtocol: 'http' }, {}],
      }),
      {
        kind: 'EndpointSlice',
        metadata: { ...defaultMeta, name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
        serviceName: 'web',
        addressType: 'IPv4',
        endpoints: [{ addresses: ['127.0.0.2'], conditions: { ready: false, serving: true, terminating: true }, nodeName: 'n1', zone: 'z1' }, { addresses: ['127.0.0.3'], conditions: {} }],
        ports: [{ name: 'http', port: 9000, protocol: 'TCP' }, { name: '', protocol: 'TCP' }],
      },
    ],
    [
      'EndpointSlice without the label or endpoints (the API sends endpoints: null)',
      slice({ addressType: 'IPv6', endpoints: null }),
      { kind: 'EndpointSlice', metadata: defaultMeta, serviceName: '', addressType: 'IPv6', endpoints: [], ports: [] },
    ],
    [
      'Secret: stringData merged into data as base64, stringData wins, type Opaque',
      secret({ data: { a: b64('from-data'), b: b64('old') }, stringData: { b: 'new', 'c.txt': 'plain' } }),
      { kind: 'Secret', metadata: defaultMeta, type: 'Opaque', data: { a: b64('from-data'), b: b64('new'), 'c.txt': b64('plain') } },
    ],
    [
      'Secret of type kubernetes.io/tls with base64 wrapped over lines',
      secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'YWJj\nZGVm\n' } }),
      { kind: 'Secret', metadata: defaultMeta, type: 'kubernetes.io/tls', data: { 'tls.crt': 'YWJjZGVm' } },
    ],
  ])('%s', (_name, raw, expected) => {
    expect(normalizeObject(raw)).toStrictEqual({ object: expected });
  });

  it.each<[string, unknown]>([
    ['a Date (client-node)', new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))],
    ['a UTC string', '2024-01-02T03:04:05Z'],
    ['a string with fraction and offset', '2024-01-02T04:04:05.678+01:00'],
  ])('creationTimestamp as %s → RFC 3339 UTC string', (_name, creationTimestamp) => {
    const result = normalizeObject(ingress({ defaultBackend: backend }, { name: 'web', creationTimestamp }));
    expect(result).toMatchObject({ object: { metadata: { creationTimestamp: '2024-01-02T03:04:05Z' } } });
  });

  it('returns deeply frozen objects', () => {
    const result = normalizeObject(ingress(oneRule({ path: '/', pathType: 'Prefix', backend })));
    if (!('object' in result) || result.object.kind !== 'Ingress') throw new Error('expected an Ingress');
    expect(Object.isFrozen(result.object)).toBe(true);
    expect(Object.isFrozen(result.object.spec.rules[0]?.paths[0]?.backend.service?.port)).toBe(true);
    expect(Object.isFrozen(result.object.metadata.annotations)).toBe(true);
  });

  it('keeps a __proto__ annotation as plain data', () => {
    const raw = JSON.parse('{"apiVersion":"v1","kind":"Service","metadata":{"name":"a","annotations":{"__proto__":"x"}}}') as unknown;
    const result = normalizeObject(raw);
    if (!('object' in result)) throw new Error(JSON.stringify(result));
    expect(Object.getPrototypeOf(result.object.metadata.annotations)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(result.object.metadata.annotations, '__proto__')?.value).toBe('x');
  });
});

describe('normalizeObject: invalid objects name the field', () => {
  const path = (p: Record<string, unknown>): unknown => ingress({ rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend }, p] } }] });
  it.each<[string, unknown, string]>([
    ['not an object', ['a'], 'must be an object'],
    ['kind missing', { apiVersion: 'v1', metadata: meta }, 'kind: required'],
    ['apiVersion missing', { kind: 'Service', metadata: meta }, 'apiVersion: required'],
    ['metadata missing', { apiVersion: 'v1', kind: 'Service' }, 'metadata: required'],
    ['name missing', { ...service({}), metadata: { namespace: 'x' } }, 'metadata.name: required'],
    ['name not DNS', { ...service({}), metadata: { name: 'Web_1' } }, 'metadata.name: must be a DNS-1035 label (a-z, 0-9, -; starting with a letter)'],
    ['name with a slash', ingress({ defaultBackend: backend }, { name: 'a/b' }), 'metadata.name: must be a lower-case DNS-1123 subdomain (a-z, 0-9, -, .)'],
    ['namespace a number', ingress({ defaultBackend: backend }, { name: 'web', namespace: 7 }), 'metadata.namespace: must be a string'],
    ['annotation unquoted number', ingress({ defaultBackend: backend }, { name: 'web', annotations: { 'nginx.ingress.kubernetes.io/limit-rps': 1 } }), 'metadata.annotations[nginx.ingress.kubernetes.io/limit-rps]: must be a string (quote it in YAML)'],
    ['labels a list', ingress({ defaultBackend: backend }, { name: 'web', labels: ['a'] }), 'metadata.labels: must be an object'],
    ['creationTimestamp not RFC 3339', ingress({ defaultBackend: backend }, { name: 'web', creationTimestamp: 'yesterday' }), 'metadata.creationTimestamp: must be an RFC 3339 timestamp (e.g. 2024-01-02T03:04:05Z)'],
    ['creationTimestamp an invalid Date', ingress({ defaultBackend: backend }, { name: 'web', creationTimestamp: new Date(Number.NaN) }), 'metadata.creationTimestamp: must be a valid date'],
    ['Ingress with neither rules nor defaultBackend', ingress({}), 'spec: either defaultBackend or rules must be specified'],
    ['Ingress spec.rules not a list', ingress({ rules: { host: 'a' } }), 'spec.rules: must be a list'],
    ['rule host a number', ingress({ rules: [{ host: 1 }] }), 'spec.rules[0].host: must be a string'],
    ['http without paths', ingress({ rules: [{ http: {} }] }), 'spec.rules[0].http.paths: required'],
    ['pathType missing', path({ path: '/b', backend }), 'spec.rules[0].http.paths[1].pathType: required'],
    ['pathType wrong case', path({ path: '/b', pathType: 'prefix', backend }), 'spec.rules[0].http.paths[1].pathType: unsupported value "prefix"; expected one of Exact, Prefix, ImplementationSpecific'],
    ['path a number', path({ path: 5, pathType: 'Exact', backend }), 'spec.rules[0].http.paths[1].path: must be a string'],
    ['backend missing', path({ path: '/b', pathType: 'Exact' }), 'spec.rules[0].http.paths[1].backend: required'],
    ['backend empty', path({ path: '/b', pathType: 'Exact', backend: {} }), 'spec.rules[0].http.paths[1].backend: service or resource is required'],
    ['backend service and resource', path({ path: '/b', pathType: 'Exact', backend: { ...backend, resource: { kind: 'K', name: 'n' } } }), 'spec.rules[0].http.paths[1].backend: service and resource are mutually exclusive'],
    ['backend service name missing', path({ path: '/b', pathType: 'Exact', backend: { service: { port: { number: 1 } } } }), 'spec.rules[0].http.paths[1].backend.service.name: required'],
    ['backend port missing', path({ path: '/b', pathType: 'Exact', backend: { service: { name: 's' } } }), 'spec.rules[0].http.paths[1].backend.service.port: required'],
    ['backend port neither number nor name', path({ path: '/b', pathType: 'Exact', backend: { service: { name: 's', port: {} } } }), 'spec.rules[0].http.paths[1].backend.service.port: number or name is required'],
    ['backend port number and name', path({ path: '/b', pathType: 'Exact', backend: { service: { name: 's', port: { number: 80, name: 'http' } } } }), 'spec.rules[0].http.paths[1].backend.service.port: number and name are mutually exclusive'],
    ['backend port number a string', path({ path: '/b', pathType: 'Exact', backend: { service: { name: 's', port: { number: '80' } } } }), 'spec.rules[0].http.paths[1].backend.service.port.number: must be an integer'],
    ['backend port number 0', path({ path: '/b', pathType: 'Exact', backend: { service: { name: 's', port: { number: 0 } } } }), 'spec.rules[0].http.paths[1].backend.service.port.number: must be between 1 and 65535'],
    ['backend port number 65536', path({ path: '/b', pathType: 'Exact', backend: { service: { name: 's', port: { number: 65536 } } } }), 'spec.rules[0].http.paths[1].backend.service.port.number: must be between 1 and 65535'],
    ['backend port number fractional', path({ path: '/b', pathType: 'Exact', backend: { service: { name: 's', port: { number: 80.5 } } } }), 'spec.rules[0].http.paths[1].backend.service.port.number: must be an integer'],
    ['resource backend kind missing', ingress({ defaultBackend: { resource: { name: 'n' } } }), 'spec.defaultBackend.resource.kind: required'],
    ['tls hosts not strings', ingress({ defaultBackend: backend, tls: [{ hosts: [1] }] }), 'spec.tls[0].hosts[0]: must be a string'],
    ['IngressClass without spec', { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: meta }, 'spec: required'],
    ['IngressClass without controller', { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: meta, spec: {} }, 'spec.controller: required'],
    ['Service port missing', service({ ports: [{ name: 'a' }] }), 'spec.ports[0].port: required'],
    ['Service port a string', service({ ports: [{ port: '80' }] }), 'spec.ports[0].port: must be an integer'],
    ['Service targetPort a quoted number', service({ ports: [{ port: 80, targetPort: '8080' }] }), 'spec.ports[0].targetPort: must be a port number (unquoted) or a port name (lower-case, ≤15 chars, with a letter)'],
    ['Service targetPort out of range', service({ ports: [{ port: 80, targetPort: 70000 }] }), 'spec.ports[0].targetPort: must be between 1 and 65535'],
    ['Service protocol unknown', service({ ports: [{ port: 80, protocol: 'HTTP' }] }), 'spec.ports[0].protocol: unsupported value "HTTP"; expected one of TCP, UDP, SCTP'],
    ['Service type unknown', service({ type: 'Headless' }), 'spec.type: unsupported value "Headless"; expected one of ClusterIP, NodePort, LoadBalancer, ExternalName'],
    ['multi-port Service with an unnamed port', service({ ports: [{ name: 'a', port: 80 }, { port: 81 }] }), 'spec.ports[1].name: required when the Service has more than one port'],
    ['ExternalName without externalName', service({ type: 'ExternalName' }), 'spec.externalName: required for type ExternalName'],
    ['EndpointSlice addressType missing', slice({ addressType: undefined }), 'addressType: required'],
    ['EndpointSlice addresses empty', slice({ endpoints: [{ addresses: [] }] }), 'endpoints[0].addresses: required'],
    ['EndpointSlice hostname in an IPv4 slice', slice({ endpoints: [{ addresses: ['127.0.0.2', 'evil.example.com'] }] }), 'endpoints[0].addresses[1]: must be an IPv4 address'],
    ['EndpointSlice IPv4 in an IPv6 slice', slice({ addressType: 'IPv6', endpoints: [{ addresses: ['127.0.0.2'] }] }), 'endpoints[0].addresses[0]: must be an IPv6 address'],
    ['EndpointSlice ready a string', slice({ endpoints: [{ addresses: ['127.0.0.2'], conditions: { ready: 'true' } }] }), 'endpoints[0].conditions.ready: must be a boolean (true or false)'],
    ['EndpointSlice port 0', slice({ ports: [{ port: 0 }] }), 'ports[0].port: must be between 1 and 65535'],
    ['Secret data not base64', secret({ data: { key: 'not base64!' } }), 'data[key]: must be base64'],
    ['Secret stringData value a number', secret({ stringData: { key: 5 } }), 'stringData[key]: must be a string (quote it in YAML)'],
    ['Secret key with a slash', secret({ stringData: { 'a/b': 'x' } }), 'stringData[a/b]: key must consist of alphanumerics, -, _ or .'],
    ['Ingress extensions/v1beta1', { ...ingress({ defaultBackend: backend }), apiVersion: 'extensions/v1beta1' }, 'apiVersion: Ingress "extensions/v1beta1" is not read; only networking.k8s.io/v1 is supported'],
    ['Ingress networking.k8s.io/v1beta1', { ...ingress({ defaultBackend: backend }), apiVersion: 'networking.k8s.io/v1beta1' }, 'apiVersion: Ingress "networking.k8s.io/v1beta1" is not read; only networking.k8s.io/v1 is supported'],
    ['EndpointSlice discovery.k8s.io/v1beta1', { ...slice({}), apiVersion: 'discovery.k8s.io/v1beta1' }, 'apiVersion: EndpointSlice "discovery.k8s.io/v1beta1" is not read; only discovery.k8s.io/v1 is supported'],
  ])('%s', (_name, raw, error) => {
    expect(normalizeObject(raw)).toMatchObject({ error });
  });

  it('reports the field separately and identifies the object when it has a name', () => {
    const result = normalizeObject(ingress({ rules: [{ http: { paths: [{ backend }] } }] }, { name: 'web', namespace: 'shop' }));
    expect(result).toStrictEqual({
      error: 'spec.rules[0].http.paths[0].pathType: required',
      field: 'spec.rules[0].http.paths[0].pathType',
      ref: { kind: 'Ingress', namespace: 'shop', name: 'web' },
    });
  });

  it('never echoes Secret values in errors', () => {
    const result = normalizeObject(secret({ data: { 'tls.key': 'SUPER-SECRET-VALUE!' } }));
    expect(result).toMatchObject({ error: 'data[tls.key]: must be base64' });
    expect(JSON.stringify(result)).not.toContain('SUPER-SECRET');
  });
});

describe('normalizeObject: other kinds are ignored', () => {
  it.each<[unknown, string]>([
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta }, 'ConfigMap'],
    [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta }, 'Deployment'],
    [{ apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: meta }, 'Service (serving.knative.dev/v1)'],
    [{ apiVersion: 'v1', kind: 'toString', metadata: meta }, 'toString'],
  ])('%j', (raw, ignored) => {
    expect(normalizeObject(raw)).toStrictEqual({ ignored });
  });
});

describe('expandList', () => {
  it('expands kind: List, keeping item positions', () => {
    const a = service({ ports: [] });
    expect(expandList({ apiVersion: 'v1', kind: 'List', items: [a, 'x'] })).toStrictEqual([
      { raw: a, field: 'items[0]' },
      { raw: 'x', field: 'items[1]' },
    ]);
  });

  it('fills kind and apiVersion of typed-list items, and expands nested lists', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'networking.k8s.io/v1', kind: 'IngressList', items: [{ metadata: meta, spec: { defaultBackend: backend } }] }] };
    const [item, ...rest] = expandList(list);
    expect(rest).toHaveLength(0);
    expect(item?.field).toBe('items[0].items[0]');
    expect(normalizeObject(item?.raw)).toMatchObject({ object: { kind: 'Ingress', metadata: { name: 'web' } } });
  });

  it('returns a non-list as itself', () => {
    const raw = service({});
    expect(expandList(raw)).toStrictEqual([{ raw, field: '' }]);
    expect(expandList({ kind: 'PodList' })).toStrictEqual([{ raw: { kind: 'PodList' }, field: '' }]);
  });
});
