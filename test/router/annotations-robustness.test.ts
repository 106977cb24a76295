// compile never throws on hostile annotation values or hostile regex paths, in both path-matching modes, and
// every diagnostic stays a single line naming its field (the annotation, or the path).
import { describe, expect, it } from 'vitest';
import type { Ingress, PathMatching } from '../../src/model/index.ts';
import { defaultCompileOptions } from '../../src/model/index.ts';
import { annotationRegistry } from '../../src/router/annotations/registry.ts';
import { compile, normalizeRequestPath } from '../../src/router/index.ts';
import { ingress, service } from './builders.ts';

const values = ['', ' ', 'true', '1', '/$1', '$host', 'https://x/\r\nSet-Cookie: a', '//evil.com', '{}', '"; return 200;', '\u0000', 'a'.repeat(5000)];
const paths = ['/(', '/a)', '/[z-a]', '/(?\n', '/\\', '/a{99999}', '/(a+)+$', '/x\r\ny', '/(?<n>a)\\k<n>', '/.*'];

function hostileIngress(i: number, value: string): Ingress {
  const base = ingress({
    name: `hostile-${i}`,
    rules: [{ host: `h${i % 3}.test`, paths: paths.map((path, j) => ({ path, pathType: j % 2 ? 'Prefix' : 'ImplementationSpecific', service: 'svc' })) }],
  });
  const annotations = Object.fromEntries(annotationRegistry.map((d) => [`nginx.ingress.kubernetes.io/${d.name}`, value]));
  return { ...base, metadata: { ...base.metadata, annotations: { ...annotations, 'nginx.ingress.kubernetes.io/use-regex': 'true' } } };
}

describe.each<PathMatching>(['nginx', 'spec'])('hostile annotations and regex paths (%s)', (pathMatching) => {
  it('compile does not throw; diagnostics are one line and name a field', () => {
    const { table, diagnostics } = compile(
      { ingresses: values.map((value, i) => hostileIngress(i, value)), ingressClasses: [], services: [service('svc')], secrets: [], configMap: null },
      { ...defaultCompileOptions, pathMatching },
    );
    expect(diagnostics.length).toBeGreaterThan(values.length);
    for (const diagnostic of diagnostics) {
      expect(diagnostic.field).toMatch(/^(spec\.|metadata\.annotations\[')/);
      expect(diagnostic.message).not.toMatch(/[\r\n\u0000]/);
    }
    for (const path of ['/', '/aaaa', `/${'a'.repeat(10_000)}!`, '/x']) {
      for (const host of ['h0.test', 'h1.test', 'h2.test', 'www.h0.test']) {
        expect(table.lookup(host, normalizeRequestPath(path) ?? '/').id).toEqual(expect.any(String));
      }
    }
  });
});
