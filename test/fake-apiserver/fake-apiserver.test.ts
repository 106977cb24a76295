// The fake API server against the protocol as the Kubernetes API documents it (API concepts: "Efficient
// detection of changes", "Retrieving large results sets in chunks", "Resource versions"; API conventions:
// "Concurrency Control and Consistency", "Spec and Status"), over real HTTP with fetch: if the fake drifts from
// the real protocol, the controller tests built on it would prove nothing.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApiServer } from './server.ts';

let api: FakeApiServer;
const auth = { authorization: 'Bearer t' };

beforeEach(async () => {
  api = new FakeApiServer({ bookmarkIntervalMs: 50 });
  api.addToken('t', 'tester');
  await api.start();
});
afterEach(() => api.stop());

function svc(name: string, labels: Record<string, string> = {}, namespace = 'default') {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels }, spec: { ports: [{ port: 80 }] } };
}

async function get(path: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(api.url + path, { headers: auth });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Opens a watch and returns an iterator over its events (one JSON object per line). */
async function watch(path: string): Promise<{ next: () => Promise<Record<string, any>>; close: () => void }> {
  const controller = new AbortController();
  const res = await fetch(api.url + path, { headers: auth, signal: controller.signal });
  expect(res.status).toBe(200);
  const lines = createInterface(Readable.fromWeb(res.body as never))[Symbol.asyncIterator]();
  return {
    next: async () => JSON.parse((await lines.next()).value as string) as Record<string, any>,
    close: () => controller.abort(),
  };
}

describe('fake API server protocol', () => {
  it('lists in chunks from one consistent snapshot, with kind-less items in a typed list', async () => {
    for (const name of ['a', 'b', 'c']) api.apply(svc(name));
    const first = await get('/api/v1/namespaces/default/services?limit=2');
    expect(first.body).toMatchObject({ kind: 'ServiceList', apiVersion: 'v1', metadata: { remainingItemCount: 1 } });
    expect(first.body['items'].map((i: any) => i.metadata.name)).toEqual(['a', 'b']);
    expect(first.body['items'][0].kind).toBeUndefined();
    api.remove('Service', 'default', 'c'); // between pages: the next page still shows the snapshot
    api.apply(svc('d'));
    const second = await get(`/api/v1/namespaces/default/services?limit=2&continue=${first.body['metadata'].continue}`);
    expect(second.body['items'].map((i: any) => i.metadata.name)).toEqual(['c']);
    expect(second.body['metadata'].resourceVersion).toBe(first.body['metadata'].resourceVersion);
    expect(second.body['metadata'].continue).toBeUndefined();
  });

  it('answers an expired continue token with 410 Gone, reason Expired', async () => {
    for (const name of ['a', 'b']) api.apply(svc(name));
    const first = await get('/api/v1/services?limit=1');
    api.apply(svc('c'));
    api.store.compact();
    const expired = await get(`/api/v1/services?limit=1&continue=${first.body['metadata'].continue}`);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
  });

  it('watches from a resourceVersion: ADDED, MODIFIED, DELETED with kind and apiVersion, then BOOKMARKs', async () => {
    api.apply(svc('a'));
    const rv = (await get('/api/v1/services')).body['metadata'].resourceVersion;
    const events = await watch(`/api/v1/services?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`);
    api.apply(svc('b'));
    api.apply({ ...svc('b'), spec: { ports: [{ port: 81 }] } });
    api.remove('Service', 'default', 'a');
    const seen = [await events.next(), await events.next(), await events.next()];
    expect(seen.map((e) => [e['type'], e['object'].metadata.name, e['object'].kind, e['object'].apiVersion])).toEqual([
      ['ADDED', 'b', 'Service', 'v1'], ['MODIFIED', 'b', 'Service', 'v1'], ['DELETED', 'a', 'Service', 'v1'],
    ]);
    const bookmark = await events.next();
    expect(bookmark).toMatchObject({ type: 'BOOKMARK', object: { kind: 'Service', metadata: { resourceVersion: String(api.store.revision) } } });
    events.close();
  });

  it('a watch without resourceVersion starts with synthetic ADDED events for the current state', async () => {
    api.apply(svc('a'));
    const events = await watch('/api/v1/services?watch=1');
    expect(await events.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'a' } } });
    events.close();
  });

  it('a watch from a compacted resourceVersion gets one ERROR event with a 410 Expired Status', async () => {
    api.apply(svc('a'));
    const rv = (await get('/api/v1/services')).body['metadata'].resourceVersion;
    api.apply(svc('b'));
    api.store.compact();
    const events = await watch(`/api/v1/services?watch=true&resourceVersion=${rv}`);
    expect(await events.next()).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('label and field selectors: objects entering the selection are ADDED, leaving it DELETED', async () => {
    api.apply(svc('a', { tier: 'web' }));
    const rv = (await get('/api/v1/services')).body['metadata'].resourceVersion;
    const events = await watch(`/api/v1/services?watch=true&resourceVersion=${rv}&labelSelector=tier%3Dweb`);
    api.apply(svc('a', { tier: 'db' }));
    api.apply(svc('a', { tier: 'web' }));
    expect((await events.next())['type']).toBe('DELETED');
    expect((await events.next())['type']).toBe('ADDED');
    events.close();
    api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'Opaque' });
    const tls = await get('/api/v1/secrets?fieldSelector=type%3Dkubernetes.io%2Ftls');
    expect(tls.body['items']).toEqual([]);
    expect((await get('/api/v1/secrets?fieldSelector=data%3Dx')).status).toBe(400);
  });

  it('configmaps: a metadata.name field selector lists and watches the one named object', async () => {
    const cm = (name: string, value: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'sluice' }, data: { k: value } });
    api.apply(cm('sluice', '1'));
    api.apply(cm('other', '1'));
    const list = await get('/api/v1/namespaces/sluice/configmaps?fieldSelector=metadata.name%3Dsluice');
    expect(list.body).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1' });
    expect(list.body['items'].map((i: any) => i.metadata.name)).toEqual(['sluice']);
    const events = await watch(`/api/v1/namespaces/sluice/configmaps?watch=true&fieldSelector=metadata.name%3Dsluice&resourceVersion=${list.body['metadata'].resourceVersion}`);
    api.apply(cm('other', '2'));
    api.apply(cm('sluice', '2'));
    expect(await events.next()).toMatchObject({ type: 'MODIFIED', object: { kind: 'ConfigMap', metadata: { name: 'sluice' }, data: { k: '2' } } });
    events.close();
    expect((await get('/api/v1/namespaces/sluice/configmaps?fieldSelector=data.k%3D1')).status).toBe(400);
  });

  it('403 Forbidden as a Status naming the user, verb, resource and scope; 401 without credentials', async () => {
    api.deny('secrets', ['list']);
    const denied = await get('/api/v1/secrets');
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403, details: { kind: 'secrets', group: '' } });
    expect(denied.body['message']).toBe('secrets is forbidden: User "tester" cannot list resource "secrets" in API group "" at the cluster scope');
    expect((await fetch(`${api.url}/api/v1/services`)).status).toBe(401);
  });

  it('status subresource and optimistic concurrency', async () => {
    const created = api.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'default' }, spec: {}, status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } } });
    expect(created['status']).toBeUndefined(); // creation clears status
    const path = `${api.url}/apis/networking.k8s.io/v1/namespaces/default/ingresses/i`;
    const put = (url: string, body: unknown) => fetch(url, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const status = { loadBalancer: { ingress: [{ ip: '2.2.2.2' }] } };
    const viaMain = await put(path, { ...created, spec: { defaultBackend: { service: { name: 'x', port: { number: 1 } } } }, status });
    expect(viaMain.status).toBe(200);
    const afterMain = (await viaMain.json()) as Record<string, any>;
    expect(afterMain['status']).toBeUndefined(); // the main resource ignores status
    const stale = await put(`${path}/status`, { ...created, status });
    expect(stale.status).toBe(409);
    const viaStatus = (await (await put(`${path}/status`, { ...afterMain, spec: {}, status })).json()) as Record<string, any>;
    expect(viaStatus['status']).toEqual(status);
    expect(viaStatus['spec']).toEqual(afterMain['spec']); // /status ignores everything else
  });
});
