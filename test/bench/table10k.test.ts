// The benchmark's 10k-Ingress table is what issue 8 specifies (10,000 Ingresses, 20,000 paths, 5,000 hosts),
// loads through Sluice's own manifest source and compiler without diagnostics, and every request the load
// generator cycles over reaches a forward route of the table (a 404 would measure the wrong thing).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { defaultCompileOptions, type SourceUpdate } from '../../src/model/index.ts';
import { compile } from '../../src/router/index.ts';
import { ManifestSource } from '../../src/watch/index.ts';
import { oneServiceRequests, table10k, tableRequests, tableSize } from '../../bench/manifests/table10k.ts';
import type { Pods } from '../../bench/targets/pods.ts';

const pods: Pods = {
  http: [{ address: '127.0.0.2', port: 28090 }, { address: '127.0.0.3', port: 28090 }, { address: '127.0.0.4', port: 28090 }],
  ws: [],
  stop: async () => {},
};

describe('bench: the 10k-Ingress table', () => {
  let dir: string;
  let update: SourceUpdate | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-table-test-'));
    await writeFile(join(dir, 'table.yaml'), table10k(pods));
    const source = new ManifestSource({ path: dir, logger: pino({ level: 'silent' }), onUpdate: (u) => (update = u) });
    await source.start();
    await source.close();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('has the size issue 8 names', () => {
    const ingresses = update!.snapshot.ingresses;
    const rules = ingresses.flatMap((i) => i.spec.rules);
    expect(ingresses).toHaveLength(tableSize.ingresses);
    expect(rules.flatMap((r) => r.paths)).toHaveLength(tableSize.paths);
    expect(new Set(rules.map((r) => r.host)).size).toBe(tableSize.hosts);
    expect(update!.snapshot.services).toHaveLength(tableSize.services);
    expect(update!.endpointSlices).toHaveLength(tableSize.services);
  });

  it('compiles without diagnostics, and every load request reaches a forward route', () => {
    const { table, diagnostics } = compile(update!.snapshot, defaultCompileOptions);
    expect(diagnostics).toEqual([]);
    const services = (requests: Array<{ host: string; path: string }>): Set<string> =>
      new Set(
        requests.map(({ host, path }) => {
          const route = table.lookup(host, path);
          expect(route.action.kind, `${host}${path}`).toBe('forward');
          return route.action.kind === 'forward' ? route.action.backend.service : '';
        }),
      );
    expect(services(tableRequests()).size).toBeGreaterThan(32);
    expect(services(oneServiceRequests())).toEqual(new Set(['svc-0']));
  });
});
