// The official Kubernetes examples table (reference §1.3, kubernetes.io "Ingress > Examples"), every row,
// compiled and looked up through the real table: exactly with --path-matching=spec, and with ingress-nginx's
// differences (its trailing-slash 301s) in the default nginx mode.
import { describe, expect, it } from 'vitest';
import type { PathMatching, PathType } from '../../src/model/index.ts';
import { defaultCompileOptions } from '../../src/model/index.ts';
import { compile } from '../../src/router/index.ts';
import { ingress, snapshotOf } from './builders.ts';

type RulePath = readonly [path: string, pathType: PathType];
/** [kind column, rule paths, request path, the rule path expected to match or null for "no match"] */
type Row = readonly [string, readonly RulePath[], string, RulePath | null];

const P = 'Prefix';
const E = 'Exact';
const rows: readonly Row[] = [
  ['Prefix', [['/', P]], '/', ['/', P]],
  ['Prefix', [['/', P]], '/anything/at/all', ['/', P]],
  ['Prefix', [['/', P]], '/foo/', ['/', P]],
  ['Exact', [['/foo', E]], '/foo', ['/foo', E]],
  ['Exact', [['/foo', E]], '/bar', null],
  ['Exact', [['/foo', E]], '/foo/', null],
  ['Exact', [['/foo/', E]], '/foo', null],
  ['Prefix', [['/foo', P]], '/foo', ['/foo', P]],
  ['Prefix', [['/foo', P]], '/foo/', ['/foo', P]],
  ['Prefix', [['/foo/', P]], '/foo', ['/foo/', P]],
  ['Prefix', [['/foo/', P]], '/foo/', ['/foo/', P]],
  ['Prefix', [['/aaa/bb', P]], '/aaa/bbb', null],
  ['Prefix', [['/aaa/bbb', P]], '/aaa/bbb', ['/aaa/bbb', P]],
  ['Prefix', [['/aaa/bbb/', P]], '/aaa/bbb', ['/aaa/bbb/', P]],
  ['Prefix', [['/aaa/bbb', P]], '/aaa/bbb/', ['/aaa/bbb', P]],
  ['Prefix', [['/aaa/bbb', P]], '/aaa/bbb/ccc', ['/aaa/bbb', P]],
  ['Prefix', [['/aaa/bbb', P]], '/aaa/bbbxyz', null],
  ['Prefix', [['/', P], ['/aaa', P]], '/aaa/ccc', ['/aaa', P]],
  ['Prefix', [['/', P], ['/aaa', P], ['/aaa/bbb', P]], '/aaa/bbb', ['/aaa/bbb', P]],
  ['Prefix', [['/', P], ['/aaa', P], ['/aaa/bbb', P]], '/ccc', ['/', P]],
  ['Prefix', [['/aaa', P]], '/ccc', null],
  ['Mixed', [['/foo', P], ['/foo', E]], '/foo', ['/foo', E]],
];

/**
 * Rows where ingress-nginx answers differently: a location ending in '/' makes nginx answer the path without it
 * with 301 to the slashed path (ngx_http_core_find_static_location auto_redirect; location.go keeps `/foo/` as
 * the name of Prefix `/foo/`). Keyed by row index → the redirect's Location path.
 */
const nginxRedirects: ReadonlyMap<number, string> = new Map([
  [6, '/foo/'], // Exact /foo/, request /foo
  [9, '/foo/'], // Prefix /foo/, request /foo
  [13, '/aaa/bbb/'], // Prefix /aaa/bbb/, request /aaa/bbb
]);

describe.each<PathMatching>(['spec', 'nginx'])('Kubernetes path examples table (§1.3), --path-matching=%s', (mode) => {
  it.each(rows.map((row, index) => [...row, index] as const))('%s %j, request %s → %j', (_kind, paths, request, expected, index) => {
    const item = ingress({
      name: 'examples',
      rules: [
        { host: 'example.test', paths: paths.map(([path, pathType], i) => ({ path, pathType, service: `svc-${i}` })) },
      ],
    });
    const { table, diagnostics } = compile(snapshotOf([item]), { ...defaultCompileOptions, pathMatching: mode });
    expect(diagnostics).toEqual([]);
    const route = table.lookup('example.test', request);
    const redirect = mode === 'nginx' ? nginxRedirects.get(index) : undefined;
    if (redirect !== undefined) {
      expect(route.action).toEqual({ kind: 'redirect', status: 301, target: { kind: 'slash', path: redirect } });
    } else if (expected === null) {
      // "No match, uses default backend": the controller's 404, not any of the rules.
      expect(route.pathType).toBe('Fallback');
      expect(route.action).toEqual({ kind: 'not-found', status: 404 });
    } else {
      expect([route.path, route.pathType]).toEqual(expected);
      const index = paths.findIndex(([path, pathType]) => path === expected[0] && pathType === expected[1]);
      expect(route.action).toMatchObject({ kind: 'forward', backend: { service: `svc-${index}` } });
    }
  });
});
