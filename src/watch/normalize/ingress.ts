import type {
  HTTPIngressPath,
  Ingress,
  IngressBackend,
  IngressClass,
  IngressRule,
  IngressTLS,
  PathType,
} from '../../model/index.ts';
import { sharedBackend, sharedIfEmptyList } from '../../model/index.ts';
import {
  FieldError,
  at,
  child,
  compact,
  fields,
  list,
  oneOf,
  optFields,
  optPort,
  optString,
  reqString,
  stringList,
} from './fields.ts';
import { normalizeMeta } from './metadata.ts';

// networking.k8s.io/v1 Ingress and IngressClass. Only structure is checked here (required fields, types, the
// API's one-of rules); host and path *content* is compile's job, where it becomes a diagnostic on the Ingress.

const pathTypes: readonly PathType[] = ['Exact', 'Prefix', 'ImplementationSpecific'];

export function normalizeIngress(raw: Readonly<Record<string, unknown>>): Ingress {
  const metadata = normalizeMeta(raw['metadata'], true, 'subdomain');
  const spec = optFields(raw['spec'], 'spec') ?? {};
  const defaultBackend = spec['defaultBackend'] == null ? undefined : backend(spec['defaultBackend'], 'spec.defaultBackend');
  const rules = list(spec['rules'], 'spec.rules').map((r, i) => rule(r, at('spec.rules', i)));
  // Same rule as the API server's ValidateIngressSpec: an Ingress with neither routes nothing.
  if (rules.length === 0 && defaultBackend === undefined) {
    throw new FieldError('spec', 'either defaultBackend or rules must be specified');
  }
  return {
    kind: 'Ingress',
    metadata,
    spec: compact({
      ingressClassName: optString(spec['ingressClassName'], 'spec.ingressClassName'),
      defaultBackend,
      rules,
      tls: sharedIfEmptyList(list(spec['tls'], 'spec.tls').map((t, i) => tls(t, at('spec.tls', i)))),
    }),
  };
}

function rule(raw: unknown, path: string): IngressRule {
  const r = fields(raw, path);
  const host = optString(r['host'], child(path, 'host')) ?? '';
  const http = optFields(r['http'], child(path, 'http'));
  if (http === undefined) return { host, paths: [] };
  const pathsPath = child(path, 'http.paths');
  const paths = list(http['paths'], pathsPath).map((p, i) => httpPath(p, at(pathsPath, i)));
  if (paths.length === 0) throw new FieldError(pathsPath, 'required');
  return { host, paths };
}

function httpPath(raw: unknown, path: string): HTTPIngressPath {
  const p = fields(raw, path);
  return {
    path: optString(p['path'], child(path, 'path')) ?? '',
    pathType: oneOf(p['pathType'], pathTypes, child(path, 'pathType')),
    backend: backend(p['backend'], child(path, 'backend')),
  };
}

function backend(raw: unknown, path: string): IngressBackend {
  const b = fields(raw, path);
  const hasService = b['service'] != null;
  const hasResource = b['resource'] != null;
  if (hasService === hasResource) {
    throw new FieldError(path, hasService ? 'service and resource are mutually exclusive' : 'service or resource is required');
  }
  if (hasResource) {
    const r = fields(b['resource'], child(path, 'resource'));
    return {
      resource: compact({
        apiGroup: optString(r['apiGroup'], child(path, 'resource.apiGroup')),
        kind: reqString(r['kind'], child(path, 'resource.kind')),
        name: reqString(r['name'], child(path, 'resource.name')),
      }),
    };
  }
  const servicePath = child(path, 'service');
  const s = fields(b['service'], servicePath);
  // One shared object per distinct Service backend (model/shared-backends.ts).
  return sharedBackend({ service: { name: reqString(s['name'], child(servicePath, 'name')), port: backendPort(s['port'], child(servicePath, 'port')) } });
}

function backendPort(raw: unknown, path: string): { number?: number; name?: string } {
  const p = fields(raw, path);
  const number = optPort(p['number'], child(path, 'number'));
  const name = optString(p['name'], child(path, 'name'));
  const hasName = name !== undefined && name !== '';
  if ((number !== undefined) === hasName) {
    throw new FieldError(path, hasName ? 'number and name are mutually exclusive' : 'number or name is required');
  }
  return number !== undefined ? { number } : { name: name as string };
}

function tls(raw: unknown, path: string): IngressTLS {
  const t = fields(raw, path);
  return {
    hosts: stringList(t['hosts'], child(path, 'hosts')),
    secretName: optString(t['secretName'], child(path, 'secretName')) ?? '',
  };
}

export function normalizeIngressClass(raw: Readonly<Record<string, unknown>>): IngressClass {
  const metadata = normalizeMeta(raw['metadata'], false, 'subdomain');
  const spec = fields(raw['spec'], 'spec');
  return { kind: 'IngressClass', metadata, spec: { controller: reqString(spec['controller'], 'spec.controller') } };
}
