import type { Secret } from '../../model/index.ts';
import { FieldError, at, optString, stringMap } from './fields.ts';
import { normalizeMeta } from './metadata.ts';

// v1 Secret. `stringData` is merged into `data` as base64 and wins over `data`, exactly as the API server does
// on write, so downstream code only ever sees `data`. Error messages name keys, never values.

const dataKey = /^[-._a-zA-Z0-9]+$/;
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function normalizeSecret(raw: Readonly<Record<string, unknown>>): Secret {
  const metadata = normalizeMeta(raw['metadata'], true, 'subdomain');
  const data = stringMap(raw['data'], 'data');
  const stringData = stringMap(raw['stringData'], 'stringData');
  for (const [key, value] of Object.entries(data)) {
    checkKey(key, 'data');
    // The API server stores bytes, so undecodable base64 never reaches a cluster; reject it here the same way.
    if (!base64.test(value.replace(/\s+/g, ''))) throw new FieldError(at('data', key), 'must be base64');
  }
  for (const key of Object.keys(stringData)) checkKey(key, 'stringData');
  const merged = Object.fromEntries([
    ...Object.entries(data).map(([k, v]) => [k, v.replace(/\s+/g, '')] as const),
    ...Object.entries(stringData).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')] as const),
  ]);
  return { kind: 'Secret', metadata, type: optString(raw['type'], 'type') || 'Opaque', data: merged };
}

function checkKey(key: string, path: string): void {
  if (!dataKey.test(key) || key.length > 253) {
    throw new FieldError(at(path, key), 'key must consist of alphanumerics, -, _ or .');
  }
}
