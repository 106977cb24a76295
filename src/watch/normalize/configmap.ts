import type { ConfigMap } from '../../model/index.ts';
import { FieldError, at, stringMap } from './fields.ts';
import { normalizeMeta } from './metadata.ts';

// v1 ConfigMap: only `data` is kept (no setting is binary, so `binaryData` is not read). Keys are checked as the
// API server checks them, so a file cannot hold a ConfigMap a cluster would refuse. Values are checked later, per
// key, by the settings that read them (router/settings), where an invalid value keeps the previous one.

const dataKey = /^[-._a-zA-Z0-9]+$/;

export function normalizeConfigMap(raw: Readonly<Record<string, unknown>>): ConfigMap {
  const metadata = normalizeMeta(raw['metadata'], true, 'subdomain');
  const data = stringMap(raw['data'], 'data');
  for (const key of Object.keys(data)) {
    if (!dataKey.test(key) || key.length > 253) throw new FieldError(at('data', key), 'key must consist of alphanumerics, -, _ or .');
  }
  return { kind: 'ConfigMap', metadata, data };
}
