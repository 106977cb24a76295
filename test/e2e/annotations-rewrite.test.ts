// rewrite-target, use-regex, x-forwarded-prefix and host-wide regex mode, end to end through the real CLI. Each
// case names the kubernetes/ingress-nginx e2e test (test/e2e/annotations/*.go) or document it mirrors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoOf, send } from '../support/http-client.ts';
import { ingress } from '../support/manifests.ts';
import { annotated, startFixture, type Fixture } from './annotations-fixture.ts';

const is = 'ImplementationSpecific' as const;
let fx: Fixture;

beforeAll(async () => {
  fx = await startFixture(
    ['web', 'regex', 'api'],
    [
      // rewrite.go "should use correct longest path match": a plain Ingress, then a rewrite on "/" of the same host.
      ingress('kube-lego', [{ host: 'longest.bar.com', paths: [{ path: '/.well-known/acme/challenge', service: 'web' }] }],
        { creationTimestamp: '2024-01-01T00:00:00Z' }),
      annotated(ingress('rewrite-index', [{ host: 'longest.bar.com', paths: [{ path: '/', service: 'regex' }] }],
        { creationTimestamp: '2024-01-02T00:00:00Z' }), { 'rewrite-target': '/new/backend' }),
      // rewrite.go "should use ~* location modifier if regex annotation is present" and "should fail to use longest
      // match for documented warning" (docs/user-guide/ingress-path-matching.md "Warning").
      ingress('foo', [{ host: 'rewrite.bar.com', paths: [{ path: '/foo', service: 'web' }, { path: '/foo/bar/bar', service: 'web' }] }],
        { creationTimestamp: '2024-01-01T00:00:00Z' }),
      annotated(ingress('regex', [{ host: 'rewrite.bar.com', paths: [
        { path: '/foo.+', pathType: is, service: 'regex' },
        { path: '/foo/bar/[a-z]{3}', pathType: is, service: 'regex' },
      ] }], { creationTimestamp: '2024-01-02T00:00:00Z' }), { 'use-regex': 'true', 'rewrite-target': '/new/backend' }),
      // rewrite.go "should allow for custom rewrite parameters"; docs/examples/rewrite/README.md's canonical example.
      annotated(ingress('params', [{ host: 'params.bar.com', paths: [{ path: '/foo/bar/(.+)', pathType: is, service: 'regex' }] }]),
        { 'use-regex': 'true', 'rewrite-target': '/new/backend/$1' }),
      annotated(ingress('docs', [{ host: 'docs.bar.com', paths: [{ path: '/something(/|$)(.*)', pathType: is, service: 'api' }] }]),
        { 'rewrite-target': '/$2' }),
      // xforwardedprefix.go: the header only with a rewrite.
      annotated(ingress('prefixed', [{ host: 'xfp.bar.com', paths: [{ path: '/app(/|$)(.*)', pathType: is, service: 'api' }] }]),
        { 'rewrite-target': '/$2', 'x-forwarded-prefix': '/app' }),
      annotated(ingress('prefix-only', [{ host: 'xfp-norewrite.bar.com', paths: [{ path: '/', service: 'api' }] }]),
        { 'x-forwarded-prefix': '/app' }),
      // Security: rewrites that would send a scheme-relative target upstream.
      annotated(ingress('sloppy', [{ host: 'sloppy.bar.com', paths: [{ path: '/go(.*)', pathType: is, service: 'api' }] }]),
        { 'rewrite-target': '/$1' }),
      annotated(ingress('no-slash', [{ host: 'noslash.bar.com', paths: [{ path: '/x/(.*)', pathType: is, service: 'api' }] }]),
        { 'rewrite-target': '$1' }),
      annotated(ingress('to-url', [{ host: 'tourl.bar.com', paths: [{ path: '/(.*)', pathType: is, service: 'api' }] }]),
        { 'rewrite-target': 'https://other.example/$1' }),
      // A classic ReDoS pattern on a regex host: requests stay fast (ReDoS guard, router/regex/engine.ts).
      annotated(ingress('redos', [{ host: 'redos.bar.com', paths: [{ path: '/(a+)+$', pathType: is, service: 'api' }] }]),
        { 'use-regex': 'true' }),
    ],
  );
});

afterAll(async () => fx?.close());

async function upstream(host: string, path: string): Promise<{ service: string; url: string; headers: Record<string, string> }> {
  return echoOf(await send(fx.http, path, { host }));
}

describe('rewrite-target and regex mode (rewrite.go)', () => {
  it('keeps the longer path first when a rewrite on "/" puts the host in regex mode', async () => {
    expect(await upstream('longest.bar.com', '/.well-known/acme/challenge')).toMatchObject({
      service: 'web', url: '/.well-known/acme/challenge',
    });
    expect(await upstream('longest.bar.com', '/other?x=1')).toMatchObject({ service: 'regex', url: '/new/backend?x=1' });
  });

  it('spreads regex mode to the other Ingress of the host (~* "^/foo" matches /foo and /FOOBAR)', async () => {
    expect(await upstream('rewrite.bar.com', '/foo')).toMatchObject({ service: 'web', url: '/foo' });
    // The plain Ingress's Prefix /foo is now a case-insensitive prefix regex, so /FOO/x matches it … if nothing
    // longer does: /foo.+ (6) is tried before /foo (4) and takes it, rewritten.
    expect(await upstream('rewrite.bar.com', '/foo/bar')).toMatchObject({ service: 'regex', url: '/new/backend' });
  });

  it('reproduces the documented ordering trap: /foo/bar/[a-z]{3} is tried before /foo/bar/bar', async () => {
    expect(await upstream('rewrite.bar.com', '/foo/bar/bar')).toMatchObject({ service: 'regex', url: '/new/backend' });
  });

  it('fills $n from the path regex and keeps the query string', async () => {
    expect(await upstream('params.bar.com', '/foo/bar/bar')).toMatchObject({ url: '/new/backend/bar' });
    // docs/examples/rewrite/README.md: /something → /, /something/ → /, /something/new → /new.
    expect(await upstream('docs.bar.com', '/something')).toMatchObject({ service: 'api', url: '/' });
    expect(await upstream('docs.bar.com', '/something/')).toMatchObject({ url: '/' });
    expect(await upstream('docs.bar.com', '/something/new?q=1&r=2')).toMatchObject({ url: '/new?q=1&r=2' });
    expect(await upstream('docs.bar.com', '/SOMETHING/Case')).toMatchObject({ url: '/Case' });
  });

  it('answers 302 when the target is a URL (nginx rewrite with an http(s) replacement)', async () => {
    const reply = await send(fx.http, '/page?x=1', { host: 'tourl.bar.com' });
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe('https://other.example/page?x=1');
  });
});

describe('x-forwarded-prefix (xforwardedprefix.go)', () => {
  it('is sent with a rewrite, replacing any value the client sent', async () => {
    const reply = echoOf(await send(fx.http, '/app/x', { host: 'xfp.bar.com', headers: { 'X-Forwarded-Prefix': '/evil' } }));
    expect(reply.url).toBe('/x');
    expect(reply.headers['x-forwarded-prefix']).toBe('/app');
  });

  it('has no effect without rewrite-target (template.go buildProxyPass)', async () => {
    const reply = await upstream('xfp-norewrite.bar.com', '/x');
    expect(reply.headers['x-forwarded-prefix']).toBeUndefined();
  });
});

describe('security of rewritten targets', () => {
  it('never sends a scheme-relative //host target upstream', async () => {
    expect(await upstream('sloppy.bar.com', '/go/evil.com/x')).toMatchObject({ url: '/evil.com/x' });
    expect(await upstream('noslash.bar.com', '/x/evil.com')).toMatchObject({ url: '/evil.com' });
  });

  it('re-escapes decoded captures, so CR/LF and spaces cannot reach the request line', async () => {
    // PCRE's '.' stops at LF, as in nginx: the capture ends there; the CR it holds is escaped.
    const reply = await upstream('sloppy.bar.com', '/go/a%0d%0aX-Injected:%20yes');
    expect(reply.url).toBe('/a%0D');
    expect(reply.headers['x-injected']).toBeUndefined();
    expect((await upstream('sloppy.bar.com', '/go/a%20b%3Fq%23f')).url).toBe('/a%20b%3Fq%23f');
  });

  it('keeps request latency bounded on a catastrophic regex', async () => {
    // Unguarded, 30 characters take seconds (measured: 28 → 2 s): the short case fails fast instead of the
    // long one stalling the gateway forever.
    for (const length of [30, 8_000]) {
      const started = performance.now();
      const reply = await send(fx.http, `/${'a'.repeat(length)}!`, { host: 'redos.bar.com' });
      expect(reply.status).toBe(404);
      expect(performance.now() - started).toBeLessThan(1_000);
    }
    expect((await send(fx.http, '/aaaa', { host: 'redos.bar.com' })).status).toBe(200);
  });
});
