import { describe, expect, it } from 'vitest';
import { ChangeDetector } from '../../src/watch/change-detector.ts';

const ingress = Object.freeze({ metadata: { name: 'a', resourceVersion: '1' } });
const other = Object.freeze({ metadata: { name: 'b', resourceVersion: '1' } });
const slice = Object.freeze({ metadata: { name: 's' }, endpoints: ['10.0.0.1'] });
const view = (ingresses: object[], slices: object[] = [slice]) => ({ snapshot: { ingresses, services: [] }, endpointSlices: slices });

describe('ChangeDetector (sources and the route updater: "did anything change?")', () => {
  it('a rebuilt view of the same objects is unchanged; so is a relist (new objects, same content)', () => {
    const detector = new ChangeDetector();
    expect(detector.changed(view([ingress, other]))).toBe(true); // the first view
    expect(detector.changed(view([ingress, other]))).toBe(false);
    expect(detector.changed(view([structuredClone(ingress), structuredClone(other)]))).toBe(false);
  });

  it.each([
    ['an object edited', view([ingress, { metadata: { name: 'b', resourceVersion: '2' }, spec: 1 }])],
    ['an object removed', view([ingress])],
    ['objects reordered', view([other, ingress])],
    ['an endpoint replaced', view([ingress, other], [{ metadata: { name: 's' }, endpoints: ['10.0.0.2'] }])],
  ])('%s → changed', (_, next) => {
    const detector = new ChangeDetector();
    detector.changed(view([ingress, other]));
    expect(detector.changed(next)).toBe(true);
  });

  it('content the replacer drops does not count (resourceVersion-only writes)', () => {
    const detector = new ChangeDetector((key, value) => (key === 'resourceVersion' ? undefined : value));
    detector.changed({ ingresses: [ingress] });
    expect(detector.changed({ ingresses: [{ metadata: { name: 'a', resourceVersion: '7' } }] })).toBe(false);
  });

  it('reset: the next view counts as changed even if equal', () => {
    const detector = new ChangeDetector();
    detector.changed(view([ingress]));
    detector.reset();
    expect(detector.changed(view([ingress]))).toBe(true);
  });
});

describe('ChangeDetector cost: only objects with a new identity are serialised', () => {
  /** An object whose toJSON counts how often JSON.stringify reached it. */
  const counted = (name: string, counter: { n: number }) => ({ toJSON: () => (counter.n++, name) });

  it('an EndpointSlice change serialises no Ingress', () => {
    const detector = new ChangeDetector();
    const counter = { n: 0 };
    const ingresses = [counted('a', counter), counted('b', counter)];
    detector.changed({ update: { snapshot: { ingresses: [...ingresses] }, endpointSlices: [slice] }, diagnostics: [] });
    const changed = detector.changed({ update: { snapshot: { ingresses: [...ingresses] }, endpointSlices: [{ metadata: { name: 's2' } }] }, diagnostics: [] });
    expect(changed).toBe(true);
    expect(counter.n).toBe(0);
  });

  it('one edited Ingress among many: that object and its predecessor are serialised, nothing else', () => {
    const detector = new ChangeDetector();
    const counter = { n: 0 };
    const ingresses = Array.from({ length: 100 }, (_, i) => counted(`i${i}`, counter));
    detector.changed({ ingresses });
    const edited = [...ingresses];
    edited[50] = counted('i50-edited', counter);
    expect(detector.changed({ ingresses: edited })).toBe(true);
    expect(counter.n).toBe(2);
  });
});
