// The README's annotation table must be exactly what the registry renders (run `npm run compat-table`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCompatTable, tableEnd, tableStart, withCompatTable } from '../../src/router/annotations/compat-table.ts';
import { annotationRegistry, findAnnotation } from '../../src/router/annotations/registry.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README compatibility table', () => {
  it('is the one the annotation registry renders (npm run compat-table)', () => {
    const start = readme.indexOf(tableStart);
    const end = readme.indexOf(tableEnd);
    expect(start, 'README.md lacks the annotations markers').toBeGreaterThan(-1);
    expect(readme.slice(start + tableStart.length, end).trim()).toBe(renderCompatTable());
    expect(withCompatTable(readme)).toBe(readme);
  });

  it('lists every annotation of reference §2.3 and the risk table once', () => {
    const names = annotationRegistry.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of ['rewrite-target', 'use-regex', 'configuration-snippet', 'limit-rps', 'canary', 'auth-url', 'ssl-passthrough']) {
      expect(findAnnotation(name), name).toBeDefined();
    }
    expect(findAnnotation('whitelist-source-range')?.name).toBe('allowlist-source-range');
    expect(findAnnotation('limit-whitelist')?.name).toBe('limit-allowlist');
  });

  it('says how every partial or never annotation differs', () => {
    for (const d of annotationRegistry.filter((x) => x.status === 'partial' || x.status === 'never')) {
      expect(d.difference, d.name).not.toBe('');
    }
  });
});
