// What compile keeps per path is memory in every thread (the primary and each worker compile the same table), so
// what can be shared is: one action per backend target, and the Ingress's own path objects in what the compile
// cache keeps (router/backend.ts, router/prepare.ts carry the numbers).
import { describe, expect, it } from 'vitest';
import { defaultCompileOptions, type Diagnostic } from '../../src/model/index.ts';
import { compile } from '../../src/router/index.ts';
import { prepareIngress } from '../../src/router/prepare.ts';
import { ingress, snapshotOf } from './builders.ts';

describe('objects compile shares', () => {
  it('gives every route to one backend target the same frozen action, across hosts', () => {
    const items = ['a.test', 'b.test'].map((host, i) =>
      ingress({ name: `i${i}`, rules: [{ host, paths: [{ path: '/x', pathType: 'Prefix', service: 'web' }, { path: '/y', pathType: 'Exact', service: 'web' }] }] }),
    );
    const { table } = compile(snapshotOf(items), defaultCompileOptions);
    const actions = ['a.test', 'b.test'].flatMap((host) => ['/x', '/y'].map((path) => table.lookup(host, path).action));
    expect(actions[0]!.kind).toBe('forward');
    for (const action of actions) expect(action).toBe(actions[0]);
    expect(Object.isFrozen(actions[0])).toBe(true);
  });

  it('keeps the spec path objects, and reports a skipped path at its own index', () => {
    const item = ingress({
      name: 'i',
      rules: [
        { host: 'a.test', paths: [{ path: '/ok', pathType: 'Prefix', service: 'web' }] },
        { host: 'b.test', paths: [{ path: 'bad', pathType: 'Prefix', service: 'web' }, { path: '/ok', pathType: 'Prefix', service: 'web' }] },
      ],
    });
    const diagnostics: Diagnostic[] = [];
    const prepared = prepareIngress(item, defaultCompileOptions, diagnostics)!;
    expect(prepared.rules[0]!.paths).toBe(item.spec.rules[0]!.paths);
    expect(prepared.rules[1]!.paths).toEqual([item.spec.rules[1]!.paths[1]]);
    expect(prepared.rules[1]!.paths[0]).toBe(item.spec.rules[1]!.paths[1]);
    expect(diagnostics.map((d) => d.field)).toEqual(['spec.rules[1].http.paths[0].path']);
  });

  it('names a later path of a rule that lost one by its place in the spec', () => {
    const paths = [{ path: 'bad', pathType: 'Prefix', service: 'web' }, ...Array(2).fill({ path: '/ok', pathType: 'Prefix', service: 'web' })] as const;
    const { diagnostics } = compile(snapshotOf([ingress({ name: 'i', rules: [{ host: 'b.test', paths }] })]), defaultCompileOptions);
    expect(diagnostics.map((d) => `${d.reason} ${d.field}`)).toEqual(['InvalidPath spec.rules[0].http.paths[0].path', 'PathConflict spec.rules[0].http.paths[2].path']);
  });

  it('gives every host without an Exact path the same empty exact-path map; a host with one its own', () => {
    const items = ['a.test', 'b.test', 'c.test'].map((host, i) =>
      ingress({ name: `i${i}`, rules: [{ host, paths: [{ path: '/x', pathType: i === 2 ? 'Exact' : 'Prefix', service: 'web' }] }] }),
    );
    const { table } = compile(snapshotOf(items), defaultCompileOptions);
    const [a, b, c] = ['a.test', 'b.test', 'c.test'].map((host) => table.serverFor(host).exact);
    expect(a!.size).toBe(0);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(table.lookup('c.test', '/x').path).toBe('/x');
    expect(table.lookup('a.test', '/x/y').path).toBe('/x');
  });
});
