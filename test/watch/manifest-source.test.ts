import { mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestSource } from '../../src/watch/index.ts';
import pino from 'pino';
import {
  type Harness,
  configMap,
  createHarness,
  endpointSlice,
  ingress,
  names,
  put,
  removeDir,
  service,
  servicePort,
  tempDir,
} from './manifest-helpers.ts';

let dir: string;
let harness: Harness | undefined;

beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await harness?.source.close();
  harness = undefined;
  await removeDir(dir);
});

async function start(path = dir): Promise<Harness> {
  harness = createHarness(path);
  await harness.source.start();
  return harness;
}

describe('ManifestSource: the global ConfigMap (--configmap)', () => {
  const named = { namespace: 'sluice', name: 'sluice' };

  it('takes only the named ConfigMap; other ConfigMaps are ignored like unread kinds, even invalid ones', async () => {
    await put(join(dir, 'a.yaml'), [
      configMap('sluice', 'default', { 'proxy-body-size': '1k' }), // same name, other namespace
      configMap('other', 'sluice', { 'proxy-body-size': '2k' }),
      configMap('broken', 'sluice', { n: 5 }), // not a string: would be invalid, but it is not ours
      configMap('sluice', 'sluice', { 'proxy-body-size': '8m' }),
    ].join('---\n'));
    harness = createHarness(dir, undefined, named);
    await harness.source.start();
    const { update, diagnostics } = harness.latest();
    expect(diagnostics).toEqual([]);
    expect(update.snapshot.configMap?.metadata).toMatchObject(named);
    expect(update.snapshot.configMap?.data).toEqual({ 'proxy-body-size': '8m' });
  });

  it('absent: null (every setting at its default); an edit, an invalid version (last good kept) and a removal all arrive', async () => {
    const file = join(dir, 'cm.yaml');
    await put(join(dir, 'svc.yaml'), service('web'));
    harness = createHarness(dir, undefined, named);
    await harness.source.start();
    const h = harness;
    expect(h.latest().update.snapshot.configMap).toBeNull();
    await put(file, configMap('sluice', 'sluice', { 'limit-req-status-code': '429' }));
    await h.waitFor((d) => d.update.snapshot.configMap?.data['limit-req-status-code'] === '429');
    await put(file, configMap('sluice', 'sluice', { 'limit-req-status-code': 429 }));
    const invalid = await h.waitFor((d) => d.diagnostics.length > 0);
    expect(invalid.diagnostics).toEqual([expect.objectContaining({ reason: 'InvalidObject', field: 'data[limit-req-status-code]', object: { kind: 'ConfigMap', ...named } })]);
    expect(invalid.update.snapshot.configMap?.data).toEqual({ 'limit-req-status-code': '429' });
    await unlink(file);
    await h.waitFor((d) => d.update.snapshot.configMap === null);
  });

  it('without --configmap every ConfigMap is ignored', async () => {
    await put(join(dir, 'cm.yaml'), configMap('sluice', 'sluice', { hsts: 'false' }));
    const { update } = (await start()).latest();
    expect(update.snapshot.configMap).toBeNull();
  });
});

describe('ManifestSource: loading', () => {
  it('reads a multi-document file, skipping empty documents and ignoring other kinds (debug log)', async () => {
    const file = join(dir, 'all.yaml');
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n';
    // documents: 0 Service (after a comment), 1 empty, 2 Ingress, 3 ConfigMap, 4 EndpointSlice, 5 empty
    const docs = ['# leading comment\n' + service('web'), '', ingress('web', 'a.example.com'), configMap, endpointSlice('web-1', 'web', ['127.0.0.2']), ''];
    await put(file, docs.join('---\n'));
    const h = await start(file);
    expect(h.deliveries).toHaveLength(1); // delivered before start() resolved
    expect(h.source.generation).toBe(1);
    const { update, diagnostics } = h.latest();
    expect(diagnostics).toEqual([]);
    expect(names(update.snapshot.services)).toEqual(['default/web']);
    expect(names(update.snapshot.ingresses)).toEqual(['default/web']);
    expect(update.endpointSlices.map((s) => [s.serviceName, s.endpoints[0]?.addresses])).toEqual([['web', ['127.0.0.2']]]);
    expect(h.logs).toContainEqual(expect.objectContaining({ level: 20, kind: 'ConfigMap', document: 3, file }));
  });

  it('reads a directory recursively, in one sorted, frozen snapshot; dotfiles and temp files are skipped', async () => {
    await put(join(dir, 'b.yaml'), service('zeta', 80, 'a') + '---\n' + service('alpha', 80, 'b'));
    await put(join(dir, 'sub', 'deeper', 'c.yml'), service('mid', 80, 'a'));
    await put(join(dir, 'a.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'json' }, spec: {} }));
    for (const skipped of ['.hidden.yaml', 'b.yaml~', '#b.yaml#', 'b.yaml.swp', 'notes.txt', '.git/x.yaml']) {
      await put(join(dir, skipped), service('skipped'));
    }
    const { update } = (await start()).latest();
    expect(names(update.snapshot.services)).toEqual(['a/mid', 'a/zeta', 'b/alpha', 'default/json']);
    expect(Object.isFrozen(update)).toBe(true);
    expect(Object.isFrozen(update.snapshot)).toBe(true);
    expect(Object.isFrozen(update.snapshot.services)).toBe(true);
    expect(Object.isFrozen(update.snapshot.services[0])).toBe(true);
  });

  it('expands List documents and reports a bad item by its position', async () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'one' } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'two' }, spec: { ports: [{ port: 'http' }] } },
      ],
    };
    await put(join(dir, 'list.json'), JSON.stringify(list));
    const { update, diagnostics } = (await start()).latest();
    expect(names(update.snapshot.services)).toEqual(['default/one']);
    expect(diagnostics).toEqual([
      expect.objectContaining({ reason: 'InvalidObject', field: 'items[1].spec.ports[0].port', object: { kind: 'Service', namespace: 'default', name: 'two' }, source: { file: join(dir, 'list.json'), document: 0 } }),
    ]);
  });

  it('start() rejects when the path does not exist, naming it', async () => {
    const missing = join(dir, 'nope');
    harness = createHarness(missing);
    await expect(harness.source.start()).rejects.toThrow(`manifest path ${missing}: does not exist`);
    expect(harness.deliveries).toHaveLength(0);
  });

  it('an empty directory is a complete (empty) first load', async () => {
    const h = await start();
    expect(h.latest().update.snapshot.services).toEqual([]);
    expect(await h.source.settled()).toBe(1);
  });
});

describe('ManifestSource: watching', () => {
  it('serves a changed file within 1 s', async () => {
    const file = join(dir, 'svc.yaml');
    await put(file, service('web', 80));
    const h = await start();
    const written = performance.now();
    await put(file, service('web', 81));
    const d = await h.waitFor((x) => servicePort(x, 'web') === 81);
    expect(d.at - written).toBeLessThan(1000);
  });

  it('watches a single file through its directory, including in-place writes', async () => {
    const file = join(dir, 'svc.yaml');
    await put(file, service('web', 80));
    const h = await start(file);
    await put(join(dir, 'other.yaml'), service('other')); // a sibling is not part of the source
    await put(file, service('web', 81)); // replaced by rename
    await h.waitFor((x) => servicePort(x, 'web') === 81);
    await writeFile(file, service('web', 82)); // rewritten in place
    const d = await h.waitFor((x) => servicePort(x, 'web') === 82);
    expect(names(d.update.snapshot.services)).toEqual(['default/web']);
  });

  it('picks up a file added in a new subdirectory, and drops a deleted file', async () => {
    await put(join(dir, 'keep.yaml'), service('keep'));
    const h = await start();
    await put(join(dir, 'new', 'dir', 'added.yaml'), service('added'));
    await h.waitFor((x) => names(x.update.snapshot.services).includes('default/added'));
    await unlink(join(dir, 'new', 'dir', 'added.yaml'));
    const d = await h.waitFor((x) => !names(x.update.snapshot.services).includes('default/added'));
    expect(names(d.update.snapshot.services)).toEqual(['default/keep']);
  });

  it('coalesces a burst of writes into few updates; the last content wins', async () => {
    const file = join(dir, 'svc.yaml');
    await put(file, service('web', 1000));
    const h = await start();
    // Writes 20 ms apart: rebuilds start at most once per 100 ms holdoff (the first 10 ms after the first write,
    // debounce.ts), so the 10 writes give at most one update per 100 ms they took, plus one; without debouncing
    // each write would be its own update. This paces the input; nothing waits for a rebuild by sleeping.
    const started = performance.now();
    for (let port = 1001; port <= 1010; port++) {
      await put(file, service('web', port));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const writingMs = performance.now() - started;
    await h.waitFor((x) => servicePort(x, 'web') === 1010, 0);
    const generation = await h.source.settled();
    expect(generation).toBe(h.deliveries.length);
    expect(h.deliveries.length - 1).toBeLessThanOrEqual(Math.min(5, Math.ceil(writingMs / 100) + 1));
    expect(servicePort(h.latest(), 'web')).toBe(1010);
  });

  it('a consumer that throws does not stop later updates', async () => {
    const file = join(dir, 'svc.yaml');
    await put(file, service('web', 80));
    let calls = 0;
    harness = createHarness(dir, () => {
      calls += 1;
      throw new Error('consumer bug');
    });
    await harness.source.start();
    await put(file, service('web', 81));
    await harness.waitFor((x) => servicePort(x, 'web') === 81);
    expect(calls).toBe(2);
    expect(harness.logs).toContainEqual(expect.objectContaining({ level: 50, msg: 'manifest: update consumer threw' }));
  });
});

describe('ManifestSource: bad input keeps the last good objects', () => {
  it('a YAML syntax error reports ManifestParseError (file, document) and keeps the whole file as it was', async () => {
    const file = join(dir, 'app.yaml');
    await put(file, service('web', 80) + '---\n' + service('api', 90));
    await put(join(dir, 'other.yaml'), service('other', 70));
    const h = await start();
    await put(file, service('web', 81) + '---\n' + 'kind: Service\n  bad: [indent\n');
    await put(join(dir, 'other.yaml'), service('other', 71)); // other files still update
    const d = await h.waitFor((x) => servicePort(x, 'other') === 71 && x.diagnostics.length > 0);
    expect(d.diagnostics).toEqual([expect.objectContaining({ severity: 'Error', reason: 'ManifestParseError', field: '', source: { file, document: 1 } })]);
    expect(d.diagnostics[0]?.message).toMatch(/^YAML document 1: .*line \d+, column \d+/);
    expect([servicePort(d, 'web'), servicePort(d, 'api')]).toEqual([80, 90]); // not 81: nothing in the file is trusted
    await put(file, service('web', 82));
    const fixed = await h.waitFor((x) => servicePort(x, 'web') === 82);
    expect(fixed.diagnostics).toEqual([]);
    expect(servicePort(fixed, 'api')).toBeUndefined();
  });

  it('a parse error on the first load serves nothing from that file, and start() still completes', async () => {
    await put(join(dir, 'bad.yaml'), 'a: [\n');
    await put(join(dir, 'good.yaml'), service('good'));
    const { update, diagnostics } = (await start()).latest();
    expect(names(update.snapshot.services)).toEqual(['default/good']);
    expect(diagnostics).toEqual([expect.objectContaining({ reason: 'ManifestParseError', source: { file: join(dir, 'bad.yaml'), document: 0 } })]);
  });

  it('an invalid object is reported and skipped; a previously good version of it keeps serving', async () => {
    const file = join(dir, 'app.yaml');
    await put(file, service('web', 80) + '---\n' + service('api', 90));
    const h = await start();
    const broken = service('web', 81).replace('port: 81', 'port: "81"');
    await put(file, [broken, service('api', 91), service('new', 1).replace('{port: 1}', '{}')].join('---\n'));
    const d = await h.waitFor((x) => servicePort(x, 'api') === 91);
    expect(servicePort(d, 'web')).toBe(80);
    expect(names(d.update.snapshot.services)).toEqual(['default/api', 'default/web']);
    expect(d.diagnostics).toEqual([
      expect.objectContaining({ reason: 'InvalidObject', field: 'spec.ports[0].port', source: { file, document: 0 }, object: { kind: 'Service', namespace: 'default', name: 'web' }, message: 'Service default/web: spec.ports[0].port: must be an integer; its last good version keeps serving' }),
      expect.objectContaining({ reason: 'InvalidObject', field: 'spec.ports[0].port', source: { file, document: 2 }, message: 'Service default/new: spec.ports[0].port: required; the object is skipped' }),
    ]);
  });

  it('duplicates across files: the first file in path order wins, whatever the creation order', async () => {
    await put(join(dir, 'b.yaml'), service('web', 2));
    await put(join(dir, 'a', 'z.yaml'), service('web', 1));
    const h = await start();
    const { diagnostics } = h.latest();
    expect(servicePort(h.latest(), 'web')).toBe(1);
    expect(diagnostics).toEqual([
      expect.objectContaining({ severity: 'Warning', reason: 'DuplicateObject', source: { file: join(dir, 'b.yaml'), document: 0 }, object: { kind: 'Service', namespace: 'default', name: 'web' } }),
    ]);
    expect(diagnostics[0]?.message).toContain(join(dir, 'a', 'z.yaml'));
    await rm(join(dir, 'a'), { recursive: true });
    const d = await h.waitFor((x) => servicePort(x, 'web') === 2);
    expect(d.diagnostics).toEqual([]);
  });

  it('an unreadable file reports ManifestUnreadable and keeps its objects', async () => {
    const file = join(dir, 'svc.yaml');
    await put(file, service('web', 80));
    const h = await start(file);
    // A directory where the file was: unreadable even for root (chmod would not be).
    await unlink(file);
    await mkdir(file);
    const d = await h.waitFor((x) => x.diagnostics.length > 0);
    expect(d.diagnostics).toEqual([expect.objectContaining({ reason: 'ManifestUnreadable', source: { file } })]);
    expect(servicePort(d, 'web')).toBe(80);
    await rm(file, { recursive: true });
    await put(file, service('web', 81));
    const back = await h.waitFor((x) => servicePort(x, 'web') === 81);
    expect(back.diagnostics).toEqual([]);
  });

  it('the whole directory disappearing keeps every object; it is read again when it comes back', async () => {
    const root = join(dir, 'manifests');
    await put(join(root, 'svc.yaml'), service('web', 80));
    const h = await start(root);
    await rm(root, { recursive: true });
    const gone = await h.waitFor((x) => x.diagnostics.length > 0);
    expect(gone.diagnostics).toEqual([expect.objectContaining({ reason: 'ManifestUnreadable', source: { file: root } })]);
    expect(servicePort(gone, 'web')).toBe(80);
    await put(join(root, 'svc.yaml'), service('web', 81));
    const back = await h.waitFor((x) => servicePort(x, 'web') === 81);
    expect(back.diagnostics).toEqual([]);
  });

  it('never puts Secret material in diagnostics or logs', async () => {
    const file = join(dir, 'secret.yaml');
    const secret = (value: string): string => `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: ${value}\n`;
    await put(file, secret('hunter2-first'));
    const h = await start();
    await put(file, secret('"TOPSECRET-unterminated'));
    const d = await h.waitFor((x) => x.diagnostics.length > 0);
    expect(d.diagnostics[0]?.reason).toBe('ManifestParseError');
    expect(JSON.stringify(d.diagnostics) + JSON.stringify(h.logs)).not.toMatch(/TOPSECRET|hunter2/);
  });
});

describe('ManifestSource: API', () => {
  it('settled() resolves with the generation; generation counts delivered updates', async () => {
    const file = join(dir, 'svc.yaml');
    await put(file, service('web', 80));
    const source = new ManifestSource({ path: dir, logger: pino({ level: 'silent' }), onUpdate: () => {} });
    await source.start();
    try {
      expect(source.generation).toBe(1);
      expect(await source.settled()).toBe(1);
      expect(source.latest?.update.snapshot.services).toHaveLength(1);
    } finally {
      await source.close();
    }
  });
});
