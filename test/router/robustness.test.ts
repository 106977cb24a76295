// compile never throws on user input, and lookups always return a route; here with hostile strings.
import { describe, expect, it } from 'vitest';
import type { Ingress, PathType } from '../../src/model/index.ts';
import { defaultCompileOptions } from '../../src/model/index.ts';
import { compile, normalizeHost, normalizeRequestPath } from '../../src/router/index.ts';
import { ingress, service } from './builders.ts';

const hostile = [
  ...['', '/', '*', '*.', '.', '..', '%', '%00', '\u0000', ' ', '\r\n', '[::1]', 'a:b', 'ü.test', '/a/../../b'],
  ...['//', '/%2F', '\\', '*.*', 'A'.repeat(300), '/(.*)', '/$1', '{}', '; drop', '__proto__', 'constructor'],
];
const pathTypes = ['Exact', 'Prefix', 'ImplementationSpecific', 'Bogus'] as PathType[];

function hostileIngresses(): Ingress[] {
  return hostile.map((value, i) => {
    const base = ingress({
      name: `hostile-${i}`,
      rules: [{ host: value, paths: pathTypes.map((pathType) => ({ path: value, pathType, service: value })) }],
    });
    return { ...base, spec: { ...base.spec, defaultBackend: { service: { name: value, port: { name: value } } } } };
  });
}

describe('hostile input', () => {
  it('compiles without throwing and reports each problem against a field', () => {
    const { table, diagnostics } = compile(
      { ingresses: hostileIngresses(), ingressClasses: [], services: [service('svc')], secrets: [], configMap: null },
      defaultCompileOptions,
    );
    expect(diagnostics.length).toBeGreaterThan(hostile.length);
    for (const diagnostic of diagnostics) {
      expect(diagnostic.object?.kind).toBe('Ingress');
      expect(diagnostic.field).toMatch(/^spec\./);
      expect(diagnostic.message).not.toMatch(/[\r\n]/);
    }
    for (const host of hostile) {
      const path = normalizeRequestPath(host);
      const route = table.lookup(normalizeHost(host), path ?? '/');
      expect(route.id).toEqual(expect.any(String));
    }
  });
});
