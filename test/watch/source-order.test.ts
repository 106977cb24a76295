// Both sources list every kind in the one order of model/objects.ts compareNames (namespace, then name), which
// the workers' snapshot mirror relies on to rebuild exactly the source's arrays from deltas.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { buildUpdate as buildKubeUpdate } from '../../src/watch/kube/build-update.ts';
import { buildUpdate as buildManifestUpdate } from '../../src/watch/manifest/build-update.ts';
import { parseManifestFile } from '../../src/watch/manifest/parse-file.ts';

const service = (namespace: string, name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace, name },
  spec: { ports: [{ port: 80 }] },
});
// 'a-b' < 'a/…' as one string ('-' is 0x2d, '/' 0x2f), but 'a' < 'a-b' as namespaces.
const raw = [service('a-b', 'x'), service('a', 'y'), service('a', 'x'), service('b', 'a')];
const expected = ['a/x', 'a/y', 'a-b/x', 'b/a'];
const names = (services: readonly { metadata: { namespace: string; name: string } }[]) => services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`);

describe('source order', () => {
  it('the Kubernetes source sorts by namespace, then name', () => {
    const { update } = buildKubeUpdate([{ kind: 'Service', apiVersion: 'v1', objects: () => raw }]);
    expect(names(update.snapshot.services)).toEqual(expected);
  });

  it('the manifest source sorts the same way', () => {
    const text = raw.map((o) => JSON.stringify(o)).join('\n---\n');
    const state = parseManifestFile('/m/services.yaml', text, undefined, pino({ level: 'silent' }));
    const { update } = buildManifestUpdate(new Map([['/m/services.yaml', state]]));
    expect(names(update.snapshot.services)).toEqual(expected);
  });
});
