// nginx PCRE (`~*`) → JavaScript: the same matches, refusals for what cannot be reproduced, and bounded time.
import { describe, expect, it } from 'vitest';
import { pathRegex } from '../../src/router/regex/path-regex.ts';

function regexOf(path: string): RegExp {
  const compiled = pathRegex(path);
  if (!compiled.ok) throw new Error(compiled.why);
  return compiled.regex;
}

describe('path regexes (anchored at the start only, case-insensitive like ~*)', () => {
  it.each([
    ['/nginx(/|$)(.*)', '/nginx', true],
    ['/nginx(/|$)(.*)', '/NGINX/xxx', true],
    ['/nginx(/|$)(.*)', '/nginxy', false],
    ['/foo', '/foobar', true], // prefix semantics: no end anchor
    ['/foo', '/x/foo', false], // anchored at the start
    ['/foo/bar/[A-Z0-9]{3}', '/foo/bar/bar', true], // caseless classes (the documented ordering trap)
    ['/[^a-c]x', '/Ax', false], // caseless negated class excludes both cases
    ['/a.c', '/a\rc', true], // PCRE '.' excludes only LF
    ['/a.c', '/a\nc', false],
    ['/a\\sc', '/a\u00a0c', false], // PCRE \s is ASCII only
    ['/\\Qa.b\\E', '/a.b', true],
    ['/\\Qa.b\\E', '/axb', false],
    ['/[[:digit:]]+$', '/123', true],
    ['/(?<id>\\d+)', '/42', true],
    ['/{foo}', '/{foo}', true], // a '{' that starts no quantifier is literal, as in PCRE
    ['/(?i)abc', '/ABC', true],
  ])('%s matches %j: %s', (path, request, expected) => {
    expect(regexOf(path).test(request)).toBe(expected);
  });

  it('numbers capture groups as PCRE does, named ones included', () => {
    expect(regexOf('/api/(?<v>v\\d)/(.*)').exec('/API/v2/users')?.slice(1)).toEqual(['v2', 'users']);
    expect(pathRegex('/a(b)(?:c)(?P<n>d)')).toMatchObject({ ok: true, groups: 2 });
  });

  it.each([
    ['/c++', 'possessive'],
    ['/x(?=y)', 'lookaround'],
    ['/(?>x)', 'atomic'],
    ['/(a)\\1', 'back-references'],
    ['/\\p{L}', 'escape'],
    ['/(?-i)x', 'not supported'],
    ['/(a', 'not closed'],
    ['/a)', 'unmatched'],
    ['/a|*b', 'nothing to repeat'],
    ['/(a{999}){999}', 'too large'],
    [`/${'a'.repeat(1100)}`, 'longer than'],
  ])('refuses %s (%s)', (path, reason) => {
    const compiled = pathRegex(path);
    expect(compiled.ok).toBe(false);
    expect(compiled.ok ? '' : compiled.why).toContain(reason);
  });
});

describe('ReDoS bound (V8 falls back to its linear-time engine on excessive backtracking)', () => {
  it('matches a classic catastrophic pattern against a long hostile path in bounded time', () => {
    // Without the fallback, 28 characters already take ~2 s (measured); 16,000 would never finish.
    const evil = regexOf('/(a+)+$');
    for (const length of [28, 1_000, 16_000]) {
      const started = performance.now();
      expect(evil.test(`/${'a'.repeat(length)}!`)).toBe(false);
      expect(performance.now() - started).toBeLessThan(250);
    }
  });

  it('also bounds nested alternations', () => {
    const evil = regexOf('/(a|aa)*b');
    // Lengths grow so that an unguarded engine fails on the first (seconds) instead of hanging on the last.
    for (const length of [40, 5_000]) {
      const started = performance.now();
      expect(evil.test(`/${'a'.repeat(length)}`)).toBe(false);
      expect(performance.now() - started).toBeLessThan(250);
    }
  });
});
