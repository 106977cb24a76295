// Annotation values → typed value or ingress-nginx's outcome (reject the Ingress / deny its paths / ignore), as
// it.each tables, injection attempts included (reference §2.0 validators; CVE-2021-25746-style directive
// injection through values is what the allow-lists exist for).
import { describe, expect, it } from 'vitest';
import type { Diagnostic, Ingress } from '../../src/model/index.ts';
import { customHttpErrors, defaultBackend } from '../../src/router/annotations/default-backend.ts';
import type { AnnotationDescriptor } from '../../src/router/annotations/descriptor.ts';
import { readAnnotations } from '../../src/router/annotations/read-annotations.ts';
import { proxyBodySize, proxyConnectTimeout, proxyReadTimeout, proxySendTimeout } from '../../src/router/annotations/proxy.ts';
import { permanentRedirect, permanentRedirectCode } from '../../src/router/annotations/redirect.ts';
import { appRoot, rewriteTarget, useRegex } from '../../src/router/annotations/rewrite.ts';
import { upstreamVhost, xForwardedPrefix } from '../../src/router/annotations/upstream-headers.ts';
import { ingress } from './builders.ts';

function parse(descriptor: AnnotationDescriptor, raw: string): unknown {
  const parsed = descriptor.parse!(raw);
  return parsed.ok ? parsed.value : parsed.refusal;
}

describe('value parsers', () => {
  it.each([
    [useRegex, 'true', true], [useRegex, 'True', true], [useRegex, '1', true], [useRegex, 'f', false],
    [useRegex, 'yes', 'ignore'], [useRegex, 'true\n', 'ignore'], [useRegex, ' true', 'ignore'],
    [permanentRedirectCode, '308', 308], [permanentRedirectCode, '-1', -1], [permanentRedirectCode, '30x', 'reject'],
    [permanentRedirect, 'https://example.com/a?b=c&d=e', 'https://example.com/a?b=c&d=e'],
    [permanentRedirect, 'https://example.com/\r\nSet-Cookie: a=b', 'reject'],
    [permanentRedirect, 'https://example.com/"; return 200 "x', 'reject'],
    [permanentRedirect, 'https://example.com/${host}', 'reject'],
    [permanentRedirect, '', 'ignore'],
    [rewriteTarget, '/$1\nproxy_pass http://evil', 'ignore'],
    [rewriteTarget, '/new; rewrite', 'ignore'],
    [rewriteTarget, '/$host', 'deny'],
    [rewriteTarget, '/a$', 'deny'],
    [rewriteTarget, '/$0', 'deny'],
    [appRoot, '/app1', '/app1'], [appRoot, 'https://evil.com/app', 'ignore'], [appRoot, 'app1', 'ignore'],
    [appRoot, '/app{1}', 'ignore'], [appRoot, '/$1', 'deny'],
    [xForwardedPrefix, '/api', '/api'], [xForwardedPrefix, '/a b', '/a b'], [xForwardedPrefix, '/a\r\nX: y', 'reject'],
    [xForwardedPrefix, '/a"b', 'reject'],
    [upstreamVhost, 'backend.internal:8080', 'backend.internal:8080'], [upstreamVhost, ' api.example.com ', 'api.example.com'],
    [upstreamVhost, '$host', 'deny'], [upstreamVhost, 'a.com\r\nX-Injected: 1', 'reject'], [upstreamVhost, 'a.com;x', 'reject'],
    [defaultBackend, 'errors-svc', 'errors-svc'], [defaultBackend, 'Errors', 'reject'], [defaultBackend, 'ns/svc', 'reject'],
    [customHttpErrors, '404,503', [404, 503]], [customHttpErrors, '404, 503', 'ignore'], [customHttpErrors, '404,200', 'reject'],
    [customHttpErrors, '404,', 'ignore'],
    // proxy-body-size: ingress-nginx's SizeRegex after removing spaces; a bad value keeps the global size.
    [proxyBodySize, '8m', 8 * 1024 * 1024], [proxyBodySize, ' 64K ', 64 * 1024], [proxyBodySize, '0', 0],
    [proxyBodySize, '10b', 'ignore'], [proxyBodySize, '1m;', 'ignore'], [proxyBodySize, '1m\r\nX: y', 'ignore'],
    [proxyBodySize, '${size}', 'ignore'], [proxyBodySize, '{1m}', 'ignore'],
    // proxy-read/send-timeout: Go's strconv.Atoi on the raw value (whole seconds) → ms; proxy/main.go falls back to
    // the ConfigMap's value on any error, so a bad value is ignored, never a rejection.
    [proxyReadTimeout, '3600', 3_600_000], [proxyReadTimeout, '1', 1000], [proxyReadTimeout, '+60', 60_000],
    [proxyReadTimeout, '007', 7000], [proxyReadTimeout, '2147483', 2_147_483_000],
    [proxyReadTimeout, '30s', 'ignore'], [proxyReadTimeout, '1.5', 'ignore'], [proxyReadTimeout, ' 60', 'ignore'],
    [proxyReadTimeout, '60 ', 'ignore'], [proxyReadTimeout, '', 'ignore'],
    // Atoi takes these, but nginx would time out at once (`0s`) or refuse the configuration (`-5s`); beyond Node's
    // longest timer a socket timeout would fire at once.
    [proxyReadTimeout, '0', 'ignore'], [proxyReadTimeout, '-5', 'ignore'], [proxyReadTimeout, '2147484', 'ignore'],
    [proxyReadTimeout, '60\r\nX: y', 'ignore'], [proxyReadTimeout, '60; proxy_pass http://evil', 'ignore'],
    [proxyReadTimeout, '${timeout}', 'ignore'],
    [proxySendTimeout, '120', 120_000], [proxySendTimeout, '0', 'ignore'], [proxySendTimeout, '2m', 'ignore'],
    [proxyConnectTimeout, '10', 10_000], [proxyConnectTimeout, '5s', 'ignore'], [proxyConnectTimeout, '-1', 'ignore'],
  ] as const)('%s %j → %j', (descriptor, raw, expected) => {
    expect(parse(descriptor as AnnotationDescriptor, raw)).toEqual(expected);
  });

  it('keeps rewrite-target captures and literal text apart', () => {
    expect(parse(rewriteTarget, '/new/$1/x$2')).toEqual({
      raw: '/new/$1/x$2', parts: ['/new/', 1, '/x', 2], maxCapture: 2, redirect: false,
    });
    expect(parse(rewriteTarget, 'https://other.example/$1')).toMatchObject({ redirect: true });
  });
});

function withAnnotations(annotations: Record<string, string>): Ingress {
  const base = ingress({ name: 'web', rules: [{ host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }] });
  return { ...base, metadata: { ...base.metadata, annotations } };
}

function read(annotations: Record<string, string>, prefix = 'nginx.ingress.kubernetes.io') {
  const diagnostics: Diagnostic[] = [];
  const reading = readAnnotations(withAnnotations(annotations), prefix, diagnostics);
  return { reading, diagnostics: diagnostics.map((d) => [d.severity, d.reason, d.field]) };
}

const p = 'nginx.ingress.kubernetes.io';

describe('reading an Ingress', () => {
  it('gives every Ingress without annotations under the prefix one shared reading, and others their own', () => {
    const other = { 'example.com/owner': 'team-a' };
    expect(read({}).reading).toBe(read(other).reading);
    const annotated = read({ [`${p}/use-regex`]: 'true' }).reading;
    expect(annotated).not.toBe(read({}).reading);
    expect(annotated.values.rewrite.useRegex).toBe(true);
    expect(read({}).reading.values.rewrite.useRegex).toBe(false);
    // Another prefix reads the same Ingress differently: its own shared reading.
    expect(read({ [`${p}/use-regex`]: 'true' }, 'other.test').reading.values.rewrite.useRegex).toBe(false);
  });

  it('rejects the Ingress for a value ingress-nginx refuses, and says which annotation', () => {
    const { reading, diagnostics } = read({ [`${p}/permanent-redirect`]: 'https://a.test/\nx' });
    expect(reading.rejected).toBe(true);
    expect(diagnostics).toEqual([['Error', 'AnnotationInvalid', `metadata.annotations['${p}/permanent-redirect']`]]);
  });

  it('denies the paths for a value Sluice cannot reproduce safely', () => {
    const { reading, diagnostics } = read({ [`${p}/rewrite-target`]: '/$request_uri' });
    expect(reading.rejected).toBe(false);
    expect(reading.denied).toContain('rewrite-target');
    expect(diagnostics).toEqual([['Warning', 'AnnotationDenied', `metadata.annotations['${p}/rewrite-target']`]]);
  });

  it('reports snippets as never executed, unsupported ones as such, unknown ones with a suggestion', () => {
    const diagnostics: Diagnostic[] = [];
    readAnnotations(
      withAnnotations({
        [`${p}/configuration-snippet`]: 'more_set_headers "X: y";\nreturn 200;',
        [`${p}/limit-rate`]: '5',
        [`${p}/rewrite-targt`]: '/',
        'other.example.com/thing': 'x',
      }),
      p,
      diagnostics,
    );
    expect(diagnostics.map((d) => [d.severity, d.reason, d.message])).toEqual([
      ['Warning', 'AnnotationNeverSupported', 'configuration-snippet is never executed (raw nginx configuration); the Ingress is served without it'],
      ['Warning', 'AnnotationNotSupported', 'limit-rate is not supported yet and is ignored'],
      ['Info', 'AnnotationUnknown', '"rewrite-targt" is not an ingress-nginx annotation (did you mean "rewrite-target"?); ignored'],
    ]);
  });

  it('reads only the configured prefix (--annotations-prefix)', () => {
    const { reading } = read({ [`${p}/use-regex`]: 'true', 'custom.io/use-regex': 'false' }, 'custom.io');
    expect(reading.values.rewrite.useRegex).toBe(false);
    expect(read({ 'custom.io/use-regex': 'true' }, 'custom.io').reading.values.rewrite.useRegex).toBe(true);
  });

  it('proxy-*-timeout: a value replaces the global one; a bad one is a Warning and the global one applies', () => {
    const good = read({ [`${p}/proxy-read-timeout`]: '3600', [`${p}/proxy-send-timeout`]: '300', [`${p}/proxy-connect-timeout`]: '2' });
    expect(good.reading.values.proxy).toMatchObject({ connectTimeoutMs: 2000, readTimeoutMs: 3_600_000, sendTimeoutMs: 300_000 });
    expect(good.diagnostics).toEqual([]);
    const bad = read({ [`${p}/proxy-read-timeout`]: '1h', [`${p}/proxy-send-timeout`]: '-1' });
    expect(bad.reading.values.proxy).toMatchObject({ readTimeoutMs: null, sendTimeoutMs: null });
    expect([bad.reading.rejected, bad.reading.denied]).toEqual([false, null]);
    expect(bad.diagnostics).toEqual([
      ['Warning', 'AnnotationIgnored', `metadata.annotations['${p}/proxy-read-timeout']`],
      ['Warning', 'AnnotationIgnored', `metadata.annotations['${p}/proxy-send-timeout']`],
    ]);
    expect(read({}).reading.values.proxy).toMatchObject({ connectTimeoutMs: null, readTimeoutMs: null, sendTimeoutMs: null });
  });

  it('reads an alias when the main name is absent', () => {
    const { diagnostics } = read({ [`${p}/whitelist-source-range`]: '10.0.0.0/8' });
    expect(diagnostics).toEqual([['Warning', 'AnnotationNotSupported', `metadata.annotations['${p}/whitelist-source-range']`]]);
  });

  it.each([
    // redirect.go: temporal wins over permanent; codes out of range fall back to the default.
    [{ 'temporal-redirect': 'https://t.test', 'permanent-redirect': 'https://p.test' }, { url: 'https://t.test', code: 302 }],
    [{ 'temporal-redirect': 'https://t.test', 'temporal-redirect-code': '307' }, { url: 'https://t.test', code: 307 }],
    [{ 'temporal-redirect': 'https://t.test', 'temporal-redirect-code': '308' }, { url: 'https://t.test', code: 302 }],
    [{ 'permanent-redirect': 'https://p.test', 'permanent-redirect-code': '308' }, { url: 'https://p.test', code: 308 }],
    [{ 'permanent-redirect': 'https://p.test', 'permanent-redirect-code': '418' }, { url: 'https://p.test', code: 301 }],
    [{ 'permanent-redirect': 'ftp://p.test', 'from-to-www-redirect': 'true' }, null],
  ])('redirect group %j → %j', (annotations, expected) => {
    const prefixed = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`${p}/${k}`, v]));
    const redirect = read(prefixed).reading.values.redirect;
    expect(redirect === null ? null : { url: redirect.url, code: redirect.code }).toEqual(expected);
  });
});
