// Redirect annotations and nginx's own redirects, end to end through the real CLI. Each case names the
// kubernetes/ingress-nginx e2e test (test/e2e/annotations/*.go) or nginx behaviour it mirrors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoOf, send } from '../support/http-client.ts';
import { ingress } from '../support/manifests.ts';
import { annotated, startFixture, type Fixture } from './annotations-fixture.ts';

let fx: Fixture;
let spec: Fixture;

const slashes = ingress('slashes', [{ host: 'slash.bar.com', paths: [
  { path: '/dir/', service: 'web' },
  { path: '/exact/', pathType: 'Exact', service: 'web' },
  { path: '/plain', service: 'web' },
] }]);

beforeAll(async () => {
  fx = await startFixture(['web'], [
    annotated(ingress('approot', [{ host: 'approot.bar.com', paths: [{ path: '/', service: 'web' }] }]), { 'app-root': '/foo' }),
    annotated(ingress('redirect', [{ host: 'redirect', paths: [{ path: '/something', service: 'web' }] }]),
      { 'permanent-redirect': 'http://redirect.example.com' }),
    annotated(ingress('redirect-code', [{ host: 'redirect-code', paths: [{ path: '/something', service: 'web' }] }]),
      { 'permanent-redirect': 'http://redirect.example.com', 'permanent-redirect-code': '302' }),
    annotated(ingress('temporal', [{ host: 'temporal', paths: [{ path: '/', service: 'web' }] }]),
      { 'temporal-redirect': 'https://temporal.example.com/x?y=z', 'permanent-redirect': 'http://loses.example.com', 'temporal-redirect-code': '307' }),
    annotated(ingress('www', [{ host: 'fromtowwwredirect.bar.com', paths: [{ path: '/', service: 'web' }] }]), { 'from-to-www-redirect': 'true' }),
    annotated(ingress('tls', [{ host: 'tls.bar.com', paths: [{ path: '/', service: 'web' }, { path: '/.well-known/acme-challenge', service: 'web' }] }]),
      {}, ['tls.bar.com']),
    annotated(ingress('keep', [{ host: 'forcesslredirect.bar.com', paths: [{ path: '/', service: 'web' }] }]),
      { 'ssl-redirect': 'true', 'preserve-trailing-slash': 'true' }, ['forcesslredirect.bar.com']),
    annotated(ingress('off', [{ host: 'nossl.bar.com', paths: [{ path: '/', service: 'web' }] }]), { 'ssl-redirect': 'false' }, ['nossl.bar.com']),
    annotated(ingress('force', [{ host: 'force.bar.com', paths: [{ path: '/', service: 'web' }] }]), { 'force-ssl-redirect': 'true' }),
    annotated(ingress('injected', [{ host: 'injected.bar.com', paths: [{ path: '/', service: 'web' }] }]),
      { 'permanent-redirect': 'https://ok.example.com/\r\nSet-Cookie: session=stolen' }),
    annotated(ingress('relative', [{ host: 'relative.bar.com', paths: [{ path: '/', service: 'web' }] }]),
      { 'permanent-redirect': '//evil.com/path' }),
    slashes,
    // Hostless: every unknown Host reaches it, so its redirect must check the Host it echoes.
    annotated(ingress('hostless', [{ paths: [{ path: '/', service: 'web' }] }]), { 'app-root': '/start' }),
  ]);
  spec = await startFixture(['web'], [slashes], ['--path-matching', 'spec']);
});

afterAll(async () => {
  await fx?.close();
  await spec?.close();
});

async function location(host: string, path: string, base = fx.http): Promise<[number, string | undefined]> {
  const reply = await send(base, path, { host });
  return [reply.status, reply.headers.location];
}

describe('app-root (approot.go)', () => {
  it('answers / with 302 to the app root, keeping the Host as sent', async () => {
    expect(await location('approot.bar.com', '/')).toEqual([302, 'http://approot.bar.com/foo']);
    expect(await location('approot.bar.com:8080', '/')).toEqual([302, 'http://approot.bar.com:8080/foo']);
    expect(echoOf(await send(fx.http, '/foo', { host: 'approot.bar.com' })).url).toBe('/foo');
  });
});

describe('permanent-redirect and temporal-redirect (redirect.go)', () => {
  it('responds with a standard redirect code, on the path and on the rest of the host', async () => {
    expect(await location('redirect', '/something')).toEqual([301, 'http://redirect.example.com']);
    // The host's default location carries the Ingress's annotations (controller.go createServers).
    expect(await location('redirect', '/elsewhere?x')).toEqual([301, 'http://redirect.example.com']);
  });

  it('responds with a custom redirect code', async () => {
    expect(await location('redirect-code', '/something')).toEqual([302, 'http://redirect.example.com']);
  });

  it('prefers temporal-redirect over permanent-redirect, with its own code', async () => {
    expect(await location('temporal', '/')).toEqual([307, 'https://temporal.example.com/x?y=z']);
  });
});

describe('from-to-www-redirect (fromtowwwredirect.go)', () => {
  it('redirects www.<host> to <host> with 308, dropping a trailing slash', async () => {
    expect(await location('www.fromtowwwredirect.bar.com', '/foo')).toEqual([308, 'http://fromtowwwredirect.bar.com/foo']);
    expect(await location('www.fromtowwwredirect.bar.com', '/dir/?a=1')).toEqual([308, 'http://fromtowwwredirect.bar.com/dir/?a=1']);
    expect(await location('www.fromtowwwredirect.bar.com', '/dir/')).toEqual([308, 'http://fromtowwwredirect.bar.com/dir']);
    expect((await send(fx.http, '/foo', { host: 'fromtowwwredirect.bar.com' })).status).toBe(200);
  });
});

describe('ssl-redirect, force-ssl-redirect, preserve-trailing-slash (forcesslredirect.go, preservetrailingslash.go)', () => {
  it('redirects plain HTTP to https for a host listed in spec.tls, dropping the trailing slash', async () => {
    expect(await location('tls.bar.com', '/')).toEqual([308, 'https://tls.bar.com']);
    expect(await location('TLS.bar.com:8080', '/a/b/?q=1')).toEqual([308, 'https://tls.bar.com/a/b/?q=1']);
    expect(await location('tls.bar.com', '/a/b/')).toEqual([308, 'https://tls.bar.com/a/b']);
  });

  it('keeps the trailing slash with preserve-trailing-slash', async () => {
    expect(await location('forcesslredirect.bar.com', '/')).toEqual([308, 'https://forcesslredirect.bar.com/']);
  });

  it('exempts /.well-known/acme-challenge (no-tls-redirect-locations) and ssl-redirect: "false"', async () => {
    expect((await send(fx.http, '/.well-known/acme-challenge/token', { host: 'tls.bar.com' })).status).toBe(200);
    expect((await send(fx.http, '/', { host: 'nossl.bar.com' })).status).toBe(200);
  });

  it('redirects without a TLS section when forced', async () => {
    expect(await location('force.bar.com', '/x')).toEqual([308, 'https://force.bar.com/x']);
  });
});

describe("nginx's trailing-slash 301 (reference §2.1) and --path-matching=spec", () => {
  it.each([
    ['/dir', [301, 'http://slash.bar.com/dir/']],
    ['/dir?a=b', [301, 'http://slash.bar.com/dir/?a=b']],
    ['/exact', [301, 'http://slash.bar.com/exact/']],
  ] as const)('nginx mode: %s → %j', async (path, expected) => {
    expect(await location('slash.bar.com', path)).toEqual(expected);
  });

  it('nginx mode: Prefix /plain answers /plain itself', async () => {
    expect((await send(fx.http, '/plain', { host: 'slash.bar.com' })).status).toBe(200);
  });

  it('spec mode: Prefix /dir/ matches /dir, Exact /exact/ does not match /exact', async () => {
    expect(echoOf(await send(spec.http, '/dir', { host: 'slash.bar.com' })).url).toBe('/dir');
    expect((await send(spec.http, '/exact', { host: 'slash.bar.com' })).status).toBe(404);
  });
});

describe('redirect security', () => {
  it('never serves an Ingress whose redirect URL carries CR/LF (the value is rejected, no header is injected)', async () => {
    // injected.bar.com has no server at all: the request reaches the hostless Ingress of the catch-all server.
    const reply = await send(fx.http, '/x', { host: 'injected.bar.com' });
    expect(echoOf(reply).url).toBe('/x');
    expect(reply.headers['set-cookie']).toBeUndefined();
    expect(reply.headers.location).toBeUndefined();
  });

  it('never writes a scheme-relative Location', async () => {
    // '//evil.com/path' has no http(s) scheme: ingress-nginx's redirect parser refuses it, the route forwards.
    expect((await send(fx.http, '/', { host: 'relative.bar.com' })).status).toBe(200);
    // A request target that looks scheme-relative stays a path on our host.
    expect(await location('tls.bar.com', '//evil.com/')).toEqual([308, 'https://tls.bar.com//evil.com']);
    expect(await location('www.fromtowwwredirect.bar.com', '//evil.com')).toEqual([308, 'http://fromtowwwredirect.bar.com//evil.com']);
  });

  it('answers 400 rather than put a malformed Host into a Location', async () => {
    expect(await location('any.example', '/')).toEqual([302, 'http://any.example/start']);
    for (const host of ['evil.com/x', 'a@evil.com', 'evil.com\\x', 'a b']) {
      expect(await location(host, '/'), host).toEqual([400, undefined]);
    }
  });
});
