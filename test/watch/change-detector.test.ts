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

describe('ChangeDetector cost: only fields with new objects are serialised', () => {
  it('an EndpointSlice change does not serialise the snapshot', () => {
    const detector = new ChangeDetector();
    let serialised = 0;
    // An object whose toJSON counts how often JSON.stringify reached it.
    const watched = { toJSON: () => (serialised++, 'ingress') };
    const snapshotOf = () => ({ ingresses: [watched], services: [] });
    detector.changed({ update: { snapshot: snapshotOf(), endpointSlices: [slice] }, diagnostics: [] });
    expect(serialised).toBe(1);
    const changed = detector.changed({ update: { snapshot: snapshotOf(), endpointSlices: [{ metadata: { name: 's2' } }] }, diagnostics: [] });
    expect(changed).toBe(true);
    expect(serialised).toBe(1);
  });
});
