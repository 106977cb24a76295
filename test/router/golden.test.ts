// Golden compile tests: test/router/golden/<case>.in.yaml (Kubernetes objects as a user writes them) →
// <case>.out.yaml (the serialised route table and every diagnostic). `UPDATE_GOLDEN=1 npx vitest run
// test/router` rewrites the .out files; review the diff like code.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goldenCases, goldenDir, readGoldenInput, renderCompiled } from './golden-support.ts';

const update = process.env.UPDATE_GOLDEN === '1';

describe('golden compile cases', () => {
  it('has the cases this suite promises', () => {
    expect(goldenCases()).toEqual(
      expect.arrayContaining([
        'origin-story',
        'wildcard-hosts',
        'default-backend-catch-all',
        'default-backend-with-rules',
        'conflicts',
        'broken-backends',
        'ingress-class-selection',
        'ingress-class-without-class',
        'ingress-class-object-other-controller',
        'invalid-host-path',
        'regex-mode',
        'path-matching-spec',
        'redirects',
        'annotation-diagnostics',
      ]),
    );
  });

  it.each(goldenCases())('%s', (name) => {
    const actual = renderCompiled(readGoldenInput(name));
    const outFile = new URL(`${name}.out.yaml`, goldenDir);
    if (update) {
      writeFileSync(outFile, actual);
      return;
    }
    expect(existsSync(outFile), `${name}.out.yaml is missing; run with UPDATE_GOLDEN=1`).toBe(true);
    expect(actual).toBe(readFileSync(outFile, 'utf8'));
  });
});
