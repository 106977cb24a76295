import { describe, expect, it } from 'vitest';
import { formatRef } from '../src/model/index.ts';

describe('formatRef', () => {
  it('names namespaced and cluster-scoped objects', () => {
    expect(formatRef({ kind: 'Ingress', namespace: 'default', name: 'web' })).toBe('Ingress default/web');
    expect(formatRef({ kind: 'IngressClass', namespace: '', name: 'nginx' })).toBe('IngressClass nginx');
  });
});
