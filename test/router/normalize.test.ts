import { describe, expect, it } from 'vitest';
import { normalizeHost, normalizeRequestPath } from '../../src/router/index.ts';

describe('normalizeRequestPath', () => {
  it.each([
    ['/', '/'],
    ['/a/b', '/a/b'],
    ['/foo/', '/foo/'],
    ['/public/../admin', '/admin'],
    ['/%61dmin', '/admin'],
    ['//a///b', '/a/b'],
    ['/a//', '/a/'],
    ['/a/./b', '/a/b'],
    ['/./a', '/a'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/a/..', '/'],
    ['/a/b/../../c', '/c'],
    ['/a%2fb', '/a/b'], // a decoded slash is a slash, as in nginx
    ['/a%2F%2Fb', '/a/b'],
    ['/%2e/a', '/a'],
    ['/%2541', '/%41'], // decoded once: %25 is a literal '%', not a new escape
    ['/caf%C3%A9', '/café'],
    ['/%ff', '/\uFFFD'], // invalid UTF-8 cannot equal any rule path
    ['/.hidden', '/.hidden'],
    ['/a/...', '/a/...'],
    ['/a/..b', '/a/..b'],
    ['/a+b;c=d', '/a+b;c=d'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeRequestPath(raw)).toBe(expected);
  });

  it.each([
    ['/..', 'above the root'],
    ['/../a', 'above the root'],
    ['/a/../..', 'above the root'],
    ['/%2e%2e/', 'encoded dot-dot above the root'],
    ['/a/%2E%2E/%2E%2E/etc', 'encoded dot-dot above the root'],
    ['/%', 'truncated escape'],
    ['/%4', 'truncated escape'],
    ['/%zz', 'not hex'],
    ['/%00', 'decoded NUL'],
    ['/a\u0000b', 'raw NUL'],
    ['a/b', 'not starting with /'],
    ['', 'empty'],
    ['*', 'asterisk-form'],
  ])('%j → null (%s)', (raw) => {
    expect(normalizeRequestPath(raw)).toBeNull();
  });
});

describe('normalizeHost', () => {
  it.each([
    ['example.com', 'example.com'],
    ['Example.COM', 'example.com'],
    ['example.com:8080', 'example.com'],
    ['example.com.', 'example.com'],
    ['example.com.:80', 'example.com'],
    ['example.com..', 'example.com.'], // one trailing dot only
    ['EXAMPLE.com:', 'example.com'],
    ['127.0.0.1:80', '127.0.0.1'],
    ['[::1]', '[::1]'],
    ['[::1]:8080', '[::1]'],
    ['[::ABCD]:80', '[::abcd]'],
    ['', ''],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeHost(raw)).toBe(expected);
  });
});
