import { sharedIfEmptyMap, type ObjectMeta } from '../../model/index.ts';
import { FieldError, fields, optString, reqString, stringMap } from './fields.ts';

// Names are validated as the API server does because they become map keys and route/backend identities
// (`namespace/service:port`); a '/' or ':' in a name from a file must not be able to forge another identity.
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export type NameRule = 'subdomain' | 'dns1035';

export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && name.split('.').every((label) => dns1123Label.test(label));
}

function checkName(name: string, rule: NameRule): void {
  if (rule === 'subdomain' && !isDnsSubdomain(name)) {
    throw new FieldError('metadata.name', 'must be a lower-case DNS-1123 subdomain (a-z, 0-9, -, .)');
  }
  if (rule === 'dns1035' && !(name.length <= 63 && dns1035Label.test(name))) {
    throw new FieldError('metadata.name', 'must be a DNS-1035 label (a-z, 0-9, -; starting with a letter)');
  }
}

/** The namespace as kubectl resolves it: absent → 'default'; cluster-scoped kinds → ''. Never throws. */
export function namespaceOf(meta: unknown, namespaced: boolean): string {
  if (!namespaced) return '';
  const ns = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>)['namespace'] : undefined;
  return typeof ns === 'string' && ns !== '' ? ns : 'default';
}

export function normalizeMeta(raw: unknown, namespaced: boolean, rule: NameRule): ObjectMeta {
  const meta = fields(raw, 'metadata');
  const name = reqString(meta['name'], 'metadata.name');
  checkName(name, rule);
  optString(meta['namespace'], 'metadata.namespace');
  const namespace = namespaceOf(meta, namespaced);
  if (namespaced && !(namespace.length <= 63 && dns1123Label.test(namespace))) {
    throw new FieldError('metadata.namespace', 'must be a lower-case DNS-1123 label (a-z, 0-9, -)');
  }
  return {
    namespace,
    name,
    uid: optString(meta['uid'], 'metadata.uid') ?? '',
    resourceVersion: optString(meta['resourceVersion'], 'metadata.resourceVersion') ?? '',
    creationTimestamp: normalizeTimestamp(meta['creationTimestamp'], 'metadata.creationTimestamp'),
    // Most objects have none: one shared empty map (model/shared-values.ts).
    annotations: sharedIfEmptyMap(stringMap(meta['annotations'], 'metadata.annotations')),
    labels: sharedIfEmptyMap(stringMap(meta['labels'], 'metadata.labels')),
  };
}

// RFC 3339 as Kubernetes writes it, with optional fraction and any offset.
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Emits UTC at second precision (`2024-01-02T03:04:05Z`), the API server's own format, whatever the input
 * (client-node gives a Date, files give strings with any offset). One fixed-width format means "oldest Ingress
 * wins" can compare the strings directly, and the two sources produce identical objects.
 */
export function normalizeTimestamp(value: unknown, path: string): string {
  if (value === undefined || value === null || value === '') return '';
  let date: Date;
  if (value instanceof Date) {
    date = value;
  } else if (typeof value === 'string' && rfc3339.test(value)) {
    date = new Date(value.replace(' ', 'T'));
  } else {
    throw new FieldError(path, 'must be an RFC 3339 timestamp (e.g. 2024-01-02T03:04:05Z)');
  }
  if (Number.isNaN(date.getTime())) throw new FieldError(path, 'must be a valid date');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
