// Equal values many objects hold are one frozen object (src/model/shared-values.ts, shared-backends.ts): Service
// backends, empty label and annotation maps, empty tls lists; in the sources' normalised objects (the primary)
// and in what a worker decodes from the primary's JSON or deltas.
import { describe, expect, it } from 'vitest';
import type { Ingress, IngressBackend } from '../../src/model/index.ts';
import { normalizeObject } from '../../src/watch/normalize/index.ts';
import { Link, sourceUpdate } from './transport-objects.ts';

function rawIngress(name: string, backends: Array<{ service: string; port: number | string }>): unknown {
  const paths = backends.map((b, i) => ({
    path: `/p${i}`,
    pathType: 'Prefix',
    backend: { service: { name: b.service, port: typeof b.port === 'number' ? { number: b.port } : { name: b.port } } },
  }));
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default' }, spec: { rules: [{ host: `${name}.test`, http: { paths } }] } };
}

function normalized(raw: unknown): Ingress {
  const result = normalizeObject(raw);
  if (!('object' in result)) throw new Error('not normalised');
  return result.object as Ingress;
}

const backendsOf = (ingress: Ingress): IngressBackend[] => ingress.spec.rules.flatMap((r) => r.paths.map((p) => p.backend));

describe('shared values', () => {
  it('the sources: equal backends are one frozen object across paths and Ingresses; other ports and Services are not', () => {
    const one = normalized(rawIngress('one', [{ service: 'web', port: 80 }, { service: 'web', port: 80 }, { service: 'web', port: 81 }, { service: 'web', port: 'http' }]));
    const two = normalized(rawIngress('two', [{ service: 'web', port: 80 }, { service: 'api', port: 80 }]));
    const [a, b, c, d] = backendsOf(one);
    const [e, f] = backendsOf(two);
    expect(b).toBe(a);
    expect(e).toBe(a);
    expect(new Set([a, c, d, f]).size).toBe(4);
    expect(a).toEqual({ service: { name: 'web', port: { number: 80 } } });
    expect(d).toEqual({ service: { name: 'web', port: { name: 'http' } } });
    expect(Object.isFrozen(a) && Object.isFrozen(a!.service) && Object.isFrozen(a!.service!.port)).toBe(true);
  });

  it('a worker: backends decoded from the full JSON and from a delta are shared again', () => {
    const first = normalized(rawIngress('first', [{ service: 'web', port: 80 }, { service: 'api', port: 80 }, { service: 'web', port: 80 }]));
    const link = new Link(sourceUpdate({ ingresses: [first] }));
    const decoded = link.worker.snapshot.ingresses[0]!;
    expect(decoded).toEqual(first);
    const [web, api, webAgain] = backendsOf(decoded);
    // JSON made three objects; the decode shares them again (here, in one thread, with the normaliser's very own).
    expect(webAgain).toBe(web);
    expect(web).toBe(backendsOf(first)[0]);
    const added = normalized(rawIngress('second', [{ service: 'api', port: 80 }, { service: 'web', port: 80 }]));
    link.send(sourceUpdate({ ingresses: [first, added] }));
    expect(link.lastDelta?.ingresses.upserts).toHaveLength(1);
    const second = link.worker.snapshot.ingresses.find((i) => i.metadata.name === 'second')!;
    expect(backendsOf(second)[0]).toBe(api);
    expect(backendsOf(second)[1]).toBe(web);
  });

  it('empty label and annotation maps and empty tls lists: one frozen object, in the sources and in a worker', () => {
    const [one, two] = [normalized(rawIngress('one', [{ service: 'web', port: 80 }])), normalized(rawIngress('two', [{ service: 'web', port: 80 }]))];
    const labelled = normalized({ ...(rawIngress('three', [{ service: 'web', port: 80 }]) as object), metadata: { name: 'three', labels: { app: 'x' } } });
    expect(two.metadata.annotations).toBe(one.metadata.annotations);
    expect(one.metadata.labels).toBe(one.metadata.annotations);
    expect(labelled.metadata.labels).toEqual({ app: 'x' });
    expect(labelled.metadata.annotations).toBe(one.metadata.annotations);
    expect(two.spec.tls).toBe(one.spec.tls);
    expect(Object.isFrozen(one.metadata.annotations) && Object.isFrozen(one.spec.tls)).toBe(true);

    const link = new Link(sourceUpdate({ ingresses: [one, labelled] }));
    const [decodedOne, decodedThree] = link.worker.snapshot.ingresses;
    expect(decodedOne!.metadata.labels).toBe(decodedOne!.metadata.annotations);
    expect(decodedThree!.metadata.annotations).toBe(decodedOne!.metadata.annotations);
    expect(decodedThree!.metadata.labels).toEqual({ app: 'x' });
    link.send(sourceUpdate({ ingresses: [one, labelled, two] }));
    const decodedTwo = link.worker.snapshot.ingresses.find((i) => i.metadata.name === 'two')!;
    expect(decodedTwo.metadata.annotations).toBe(decodedOne!.metadata.annotations);
    expect(decodedTwo.spec.tls).toBe(decodedOne!.spec.tls);
  });
});
