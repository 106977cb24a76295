import { describe, expect, it } from 'vitest';
import type { Route } from '../../src/model/index.ts';
import { defaultCompileOptions } from '../../src/model/index.ts';
import { compile, normalizeHost, normalizeRequestPath } from '../../src/router/index.ts';
import { ingress, service, snapshotOf } from './builders.ts';

function backendOf(route: Route): string {
  return route.action.kind === 'forward' ? route.action.backend.service : route.action.kind;
}

describe('host selection', () => {
  const { table } = compile(
    snapshotOf([
      ingress({
        name: 'hosts',
        rules: [
          { host: '*.foo.com', paths: [{ path: '/', pathType: 'Prefix', service: 'wild' }] },
          { host: 'bar.foo.com', paths: [{ path: '/', pathType: 'Prefix', service: 'exact' }] },
          { paths: [{ path: '/status', pathType: 'Exact', service: 'hostless' }] },
        ],
      }),
    ]),
    defaultCompileOptions,
  );

  it.each([
    ['bar.foo.com', 'exact'], // an exact host beats a wildcard that also matches
    ['baz.foo.com', 'wild'],
    ['x_y-z.foo.com', 'wild'], // nginx's wildcard label is [\w-]+
    ['a.b.foo.com', 'not-found'], // two labels: no wildcard match, catch-all
    ['foo.com', 'not-found'], // the wildcard needs one label
    ['.foo.com', 'not-found'], // an empty label is no label
    ['unknown.test', 'not-found'],
    ['', 'not-found'],
  ])('%s → %s', (host, expected) => {
    expect(backendOf(table.lookup(host, '/'))).toBe(expected);
  });

  it('sends unknown hosts to the catch-all server, hostless rules included', () => {
    expect(backendOf(table.lookup('unknown.test', '/status'))).toBe('hostless');
  });

  it('never falls back to hostless rules for a host that has a server', () => {
    const route = table.lookup('baz.foo.com', '/status');
    expect(route.host).toBe('*.foo.com');
    expect(backendOf(route)).toBe('wild');
  });
});

describe('fallback of a known host', () => {
  const { table } = compile(
    snapshotOf([
      ingress({ name: 'catch-all', created: '2020-01-01T00:00:00Z', defaultBackend: 'catch-all-default' }),
      ingress({ name: 'hostless', rules: [{ paths: [{ path: '/shared', pathType: 'Prefix', service: 'hostless' }] }] }),
      ingress({
        name: 'plain',
        rules: [{ host: 'plain.test', paths: [{ path: '/app', pathType: 'Prefix', service: 'app' }] }],
      }),
      ingress({
        name: 'with-default',
        defaultBackend: 'own-default',
        rules: [{ host: 'own.test', paths: [{ path: '/app', pathType: 'Prefix', service: 'app' }] }],
      }),
    ]),
    defaultCompileOptions,
  );

  it('gives the controller 404 when the host has no defaultBackend, not the catch-all default or rules', () => {
    for (const path of ['/', '/shared', '/other']) {
      const route = table.lookup('plain.test', path);
      expect(route).toMatchObject({ host: 'plain.test', pathType: 'Fallback' });
      expect(route.action).toEqual({ kind: 'not-found', status: 404 });
      expect(route.ingress).toBeUndefined();
    }
  });

  it("gives the defining Ingress's defaultBackend", () => {
    expect(backendOf(table.lookup('own.test', '/shared'))).toBe('own-default');
    expect(backendOf(table.lookup('own.test', '/app/x'))).toBe('app');
  });

  it('gives unknown hosts the catch-all rules, then the catch-all defaultBackend', () => {
    expect(backendOf(table.lookup('nobody.test', '/shared/x'))).toBe('hostless');
    expect(backendOf(table.lookup('nobody.test', '/else'))).toBe('catch-all-default');
  });
});

describe('path precedence within a server', () => {
  const { table } = compile(
    snapshotOf([
      ingress({
        name: 'paths',
        rules: [
          {
            host: 'p.test',
            paths: [
              { path: '/foo', pathType: 'Prefix', service: 'prefix-foo' },
              { path: '/foo/', pathType: 'Prefix', service: 'prefix-foo-slash' },
              { path: '/bar', pathType: 'ImplementationSpecific', service: 'impl-bar' },
              { path: '/bar', pathType: 'Prefix', service: 'prefix-bar' },
              { path: '/x/y', pathType: 'Exact', service: 'exact-xy' },
              { path: '/x/y/', pathType: 'Prefix', service: 'prefix-xy-slash' },
              { path: '/case', pathType: 'Prefix', service: 'case' },
            ],
          },
        ],
      }),
    ]),
    defaultCompileOptions,
  );

  it.each([
    ['/foo/x', 'prefix-foo-slash'], // longer rule path (as written) wins
    ['/foo', 'prefix-foo-slash'],
    ['/bar', 'prefix-bar'], // equal length: Prefix before ImplementationSpecific
    ['/bar/baz', 'prefix-bar'],
    ['/barbaz', 'impl-bar'], // ImplementationSpecific is a plain string prefix
    ['/x/y', 'exact-xy'], // Exact wins outright, even over a longer matching Prefix
    ['/x/y/z', 'prefix-xy-slash'],
    ['/Case', 'not-found'], // paths are case-sensitive
  ])('%s → %s', (path, expected) => {
    expect(backendOf(table.lookup('p.test', path))).toBe(expected);
  });
});

describe('routes that cannot be served', () => {
  it('answer 503 instead of falling through to a broader rule', () => {
    const item = ingress({
      name: 'broken',
      rules: [
        {
          host: 'b.test',
          paths: [
            { path: '/', pathType: 'Prefix', service: 'web' },
            { path: '/admin', pathType: 'Prefix', service: 'missing' },
          ],
        },
      ],
    });
    const snapshot = { ingresses: [item], ingressClasses: [], services: [service('web')], secrets: [], configMap: null };
    const { table } = compile(snapshot, defaultCompileOptions);
    const unavailable = { kind: 'unavailable', status: 503, reason: 'ServiceNotFound' };
    expect(table.lookup('b.test', '/admin/users').action).toEqual(unavailable);
    expect(table.lookup('b.test', '/admin').action).toEqual(unavailable);
    expect(backendOf(table.lookup('b.test', '/public'))).toBe('web');
  });
});

describe('normalised requests against a compiled table', () => {
  const { table } = compile(
    snapshotOf([
      ingress({
        name: 'admin',
        rules: [
          {
            host: 'site.test',
            paths: [
              { path: '/admin', pathType: 'Prefix', service: 'admin' },
              { path: '/', pathType: 'Prefix', service: 'public' },
            ],
          },
        ],
      }),
    ]),
    defaultCompileOptions,
  );

  it.each(['/public/../admin', '/%61dmin', '//admin', '/./admin/', '/public/%2e%2e/admin/x'])(
    '%s cannot dodge the /admin rule',
    (raw) => {
      const path = normalizeRequestPath(raw);
      expect(path).not.toBeNull();
      expect(backendOf(table.lookup(normalizeHost('SITE.test:8080'), path!))).toBe('admin');
    },
  );
});
