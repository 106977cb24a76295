// One kind's informer against the fake API server through the real client-node: paginated lists, managedFields
// stripped from listed and watched objects, and the restart after an error relisting from scratch.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { KindInformer, describe as describeError, statusOf } from '../../src/watch/kube/kind-informer.ts';
import { kindSpecs } from '../../src/watch/kube/kinds.ts';
import { loadKubeConfig } from '../../src/watch/kube/kube-config.ts';
import type { FakeApiServer } from '../fake-apiserver/server.ts';
import { service } from '../support/manifests.ts';
import { startApiServer } from './support.ts';

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function serviceInformer(): Promise<{ api: FakeApiServer; informer: KindInformer; changed: () => Promise<void>; errors: unknown[] }> {
  const { api, kubeconfig } = await startApiServer();
  const { config } = loadKubeConfig({ kubeconfig, env: {} });
  let waiters: (() => void)[] = [];
  const errors: unknown[] = [];
  const informer = new KindInformer({
    spec: kindSpecs(config).find((s) => s.kind === 'Service')!,
    config,
    namespace: undefined,
    onChange: () => {
      const w = waiters;
      waiters = [];
      w.forEach((resolve) => resolve());
    },
    onError: (_spec, err) => void errors.push(err),
    onSynced: () => undefined,
    backoff: { initialMs: 10, maxMs: 50 },
  });
  stops.push(() => api.stop(), () => informer.stop());
  return { api, informer, changed: () => new Promise((resolve) => waiters.push(resolve)), errors };
}

async function until(changed: () => Promise<void>, condition: () => boolean): Promise<void> {
  while (!condition()) await changed();
}

describe('KindInformer', () => {
  it('lists in pages of 500 and strips managedFields from listed and watched objects', async () => {
    const { api, informer, changed } = await serviceInformer();
    for (let i = 0; i < 1001; i++) api.apply(service(`s${String(i).padStart(4, '0')}`));
    informer.start();
    await until(changed, () => informer.syncedOnce);
    expect(informer.objects()).toHaveLength(1001);
    const lists = api.requests.filter((r) => r.verb === 'list');
    expect(lists.map((r) => new URLSearchParams(r.query).get('limit'))).toEqual(['500', '500', '500']);
    expect(api.list('Service')[0]!.metadata['managedFields']).toBeDefined(); // the server does send them
    expect(informer.objects().every((o) => o.metadata?.managedFields === undefined)).toBe(true);
    api.apply(service('watched'));
    await until(changed, () => informer.objects().some((o) => o.metadata?.name === 'watched'));
    const watched = informer.objects().find((o) => o.metadata?.name === 'watched') as KubernetesObject;
    expect(watched.metadata?.managedFields).toBeUndefined();
  });

  it('moves its revision with every change of its objects (a rebuild reads only kinds whose revision moved)', async () => {
    const { api, informer, changed } = await serviceInformer();
    api.apply(service('a'));
    informer.start();
    await until(changed, () => informer.syncedOnce);
    let revision = informer.revision;
    let objects = informer.objects();
    const expectMoved = async (change: () => void): Promise<void> => {
      change();
      await changed();
      expect(informer.revision).toBeGreaterThan(revision);
      expect(informer.objects()).not.toEqual(objects);
      revision = informer.revision;
      objects = informer.objects();
    };
    await expectMoved(() => api.apply(service('b')));
    await expectMoved(() => api.apply(service('a', 81)));
    await expectMoved(() => api.remove('Service', 'default', 'b'));
  });

  it('after an error, keeps the old objects until a fresh list replaces them', async () => {
    const { api, informer, changed } = await serviceInformer();
    api.apply(service('kept'));
    api.apply(service('gone'));
    informer.start();
    await until(changed, () => informer.syncedOnce);
    await api.stop();
    await until(changed, () => informer.state === 'failing');
    expect(informer.objects().map((o) => o.metadata?.name).sort()).toEqual(['gone', 'kept']);
    api.remove('Service', 'default', 'gone');
    await api.start();
    await until(changed, () => informer.state === 'synced');
    expect(informer.objects().map((o) => o.metadata?.name)).toEqual(['kept']);
  });

  it('reports no failure when stopped: the abort of its own watch is not an error', async () => {
    const { informer, changed, errors } = await serviceInformer();
    informer.start();
    await until(changed, () => informer.syncedOnce);
    informer.stop();
    // Waiting for something NOT to happen: the aborted watch request settles within milliseconds on loopback.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(errors).toEqual([]);
    expect(informer.state).toBe('synced');
  });
});

describe('statusOf / describe', () => {
  it('does not take an aborted request\'s DOMException code (20) for an HTTP status', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(abort.code).toBe(20);
    expect(statusOf(abort)).toBeUndefined();
    expect(describeError(abort)).toBe('This operation was aborted');
    expect(statusOf({ code: 410 })).toBe(410);
    expect(statusOf({ statusCode: 403 })).toBe(403);
  });
});
