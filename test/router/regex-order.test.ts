// Order of regex locations on a host in regex mode: ingress-nginx sorts by path descending, then (stable) by
// length descending (controller.go getBackendServers), and nginx takes the first regex that matches.
import { describe, expect, it } from 'vitest';
import type { Ingress } from '../../src/model/index.ts';
import { defaultCompileOptions } from '../../src/model/index.ts';
import { compile } from '../../src/router/index.ts';
import { ingress, snapshotOf } from './builders.ts';

function withRegex(item: Ingress): Ingress {
  return { ...item, metadata: { ...item.metadata, annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' } } };
}

describe('regex location order', () => {
  const older = ingress({
    name: 'older',
    created: '2024-01-01T00:00:00Z',
    rules: [{ host: 'r.test', paths: [
      { path: '/a.c', pathType: 'ImplementationSpecific', service: 'dot' },
      { path: '/x', pathType: 'Exact', service: 'exact-x' },
    ] }],
  });
  const newer = withRegex(ingress({
    name: 'newer',
    created: '2024-02-01T00:00:00Z',
    rules: [{ host: 'r.test', paths: [
      { path: '/abc', pathType: 'ImplementationSpecific', service: 'abc' },
      { path: '/x', pathType: 'Prefix', service: 'prefix-x' },
    ] }],
  }));
  const { table } = compile(snapshotOf([older, newer]), defaultCompileOptions);

  function serviceFor(path: string): string {
    const action = table.lookup('r.test', path).action;
    return action.kind === 'forward' ? action.backend.service : action.kind;
  }

  it('tries equal-length paths in descending path order, whatever Ingress came first', () => {
    // '/abc' > '/a.c' (b > .), so /abc is tried first although /a.c is older.
    expect(serviceFor('/abc')).toBe('abc');
    expect(serviceFor('/aXc')).toBe('dot');
  });

  it('breaks ties on the same path by age: the older Exact /x (now ^/x) shadows the newer Prefix /x', () => {
    expect(serviceFor('/x')).toBe('exact-x');
    expect(serviceFor('/X/more')).toBe('exact-x');
  });
});
