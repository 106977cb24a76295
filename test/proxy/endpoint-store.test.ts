import { describe, expect, it } from 'vitest';
import type { EndpointSlice } from '../../src/model/index.ts';
import { EndpointStore } from '../../src/proxy/index.ts';
import { backend, servicePort, slice } from './helpers/objects.ts';

describe('EndpointStore', () => {
  it('selects per Service by namespace and service-name label', () => {
    const store = new EndpointStore();
    store.update([
      slice({ service: 'web', endpoints: ['10.0.0.1'] }),
      slice({ service: 'web', namespace: 'other', endpoints: ['10.0.0.2'] }),
      slice({ service: 'api', endpoints: ['10.0.0.3'] }),
      slice({ service: '', endpoints: ['10.0.0.4'] }),
    ]);
    expect(store.endpointsFor(backend('web')).map((e) => e.key)).toEqual(['10.0.0.1:8080']);
    expect(store.endpointsFor(backend('web', servicePort(), 'other')).map((e) => e.key)).toEqual(['10.0.0.2:8080']);
    expect(store.endpointsFor(backend('missing'))).toEqual([]);
  });

  it('caches per backend and recomputes only Services whose slices changed', () => {
    const store = new EndpointStore();
    const web = slice({ service: 'web', name: 'web-a', endpoints: ['10.0.0.1'] });
    const api = slice({ service: 'api', name: 'api-a', endpoints: ['10.0.0.3'] });
    store.update([web, api]);
    const webList = store.endpointsFor(backend('web'));
    const apiList = store.endpointsFor(backend('api'));
    expect(store.endpointsFor(backend('web'))).toBe(webList);

    // Equal content re-delivered as new objects (a manifest reload): nothing changes, not even identity.
    store.update([slice({ service: 'web', name: 'web-a', endpoints: ['10.0.0.1'] }), api]);
    expect(store.endpointsFor(backend('web'))).toBe(webList);
    expect(store.generation).toBe(1);

    store.update([slice({ service: 'web', name: 'web-a', endpoints: ['10.0.0.1', '10.0.0.2'] }), api]);
    expect(store.endpointsFor(backend('web')).map((e) => e.key)).toEqual(['10.0.0.1:8080', '10.0.0.2:8080']);
    expect(store.endpointsFor(backend('api'))).toBe(apiList);
    expect(store.generation).toBe(2);
  });

  it('does not depend on slice delivery order', () => {
    const store = new EndpointStore();
    const a = slice({ service: 'web', name: 'a', endpoints: ['10.0.0.1'] });
    const b = slice({ service: 'web', name: 'b', endpoints: ['10.0.0.2'] });
    store.update([a, b]);
    const list = store.endpointsFor(backend('web'));
    store.update([b, a]);
    expect(store.endpointsFor(backend('web'))).toBe(list);
  });

  it('a Service port whose targetPort changed under the same key is re-selected', () => {
    const store = new EndpointStore();
    store.update([slice({ service: 'web', ports: [], endpoints: ['10.0.0.1'] })]);
    expect(store.endpointsFor(backend('web', servicePort({ targetPort: 8080 })))[0]?.port).toBe(8080);
    expect(store.endpointsFor(backend('web', servicePort({ targetPort: 9090 })))[0]?.port).toBe(9090);
  });

  it('reports live endpoint keys and notifies on change only', () => {
    const store = new EndpointStore();
    let changes = 0;
    const unsubscribe = store.onChange(() => changes++);
    store.update([slice({ service: 'web', name: 'w', endpoints: ['10.0.0.1', '10.0.0.2'] })]);
    store.endpointsFor(backend('web'));
    expect([...store.liveEndpointKeys()].sort()).toEqual(['10.0.0.1:8080', '10.0.0.2:8080']);
    store.update([slice({ service: 'web', name: 'w', endpoints: ['10.0.0.2'] })]);
    expect([...store.liveEndpointKeys()]).toEqual(['10.0.0.2:8080']);
    store.update([slice({ service: 'web', name: 'w', endpoints: ['10.0.0.2'] })]);
    expect(changes).toBe(2);
    store.update([]);
    expect(store.liveEndpointKeys().size).toBe(0);
    expect(store.endpointsFor(backend('web'))).toEqual([]);
    unsubscribe();
    store.update([slice({ service: 'web', endpoints: ['10.0.0.1'] })]);
    expect(changes).toBe(3);
  });

  it('a slice that moves to another Service (its label changed) leaves the old one and joins the new', () => {
    const store = new EndpointStore();
    const moving = slice({ service: 'web', name: 'm', endpoints: ['10.0.0.1'] });
    const stays = slice({ service: 'web', name: 's', endpoints: ['10.0.0.2'] });
    store.update([moving, stays]);
    expect(store.endpointsFor(backend('web')).map((e) => e.key)).toEqual(['10.0.0.1:8080', '10.0.0.2:8080']);
    store.update([{ ...moving, serviceName: 'api' }, stays]);
    expect(store.endpointsFor(backend('web')).map((e) => e.key)).toEqual(['10.0.0.2:8080']);
    expect(store.endpointsFor(backend('api')).map((e) => e.key)).toEqual(['10.0.0.1:8080']);
    store.update([{ ...moving, serviceName: '' }, stays]);
    expect(store.endpointsFor(backend('api'))).toEqual([]);
  });

  it('updated object by object (kept, replaced, dropped, re-added, reordered) it answers as a store given each list fresh', () => {
    // update() looks only at slices whose identity arrived or departed; a fresh store regroups everything.
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const services = ['a', 'b', 'c'];
    const names = ['s1', 's2', 's3', 's4', 's5'];
    const store = new EndpointStore();
    let slices: EndpointSlice[] = [];
    for (let step = 0; step < 300; step++) {
      const roll = rand();
      const name = names[Math.floor(rand() * names.length)]!;
      const service = services[Math.floor(rand() * services.length)]!;
      const made = slice({ service, name, endpoints: [`10.0.${Math.floor(rand() * 3)}.1`] });
      if (roll < 0.5) slices = [...slices.filter((s) => s.metadata.name !== name), made];
      else if (roll < 0.7) slices = slices.filter((s) => s.metadata.name !== name);
      else if (roll < 0.8) slices = [...slices].reverse();
      else if (roll < 0.85 && slices.length > 0) slices = [...slices, slices[0]!]; // the same object twice
      else slices = slices.map((s) => ({ ...s })); // same content, new objects
      store.update(slices);
      const fresh = new EndpointStore();
      fresh.update(slices);
      for (const name of services) {
        expect(store.endpointsFor(backend(name)), `step ${step}, service ${name}`).toEqual(fresh.endpointsFor(backend(name)));
      }
    }
  });
});
