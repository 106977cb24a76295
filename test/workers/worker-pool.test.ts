// The primary's worker pool with real worker threads and real sockets: a worker that dies is replaced while the
// others keep serving, and the replacement starts from the newest update (the full state, after any number of
// the deltas the others were sent) and then takes deltas like the others.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/options.ts';
import { compareNames, emptySnapshot, type EndpointSlice, type Ingress, type KubeObject, type Service, type SourceUpdate } from '../../src/model/index.ts';
import { createBucketMemory } from '../../src/proxy/rate-limit/shared-buckets.ts';
import { generateFakeCertificate } from '../../src/tls/index.ts';
import { WorkerPool } from '../../src/workers/index.ts';
import { ingress, service } from '../router/builders.ts';

/** A pool's log lines, and a wait for a message. */
function logCollector() {
  const lines: Array<Record<string, unknown>> = [];
  const waiters = new Set<{ match: (line: Record<string, unknown>) => boolean; resolve: () => void }>();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = JSON.parse(chunk.toString()) as Record<string, unknown>;
      lines.push(line);
      for (const waiter of waiters) if (waiter.match(line)) (waiters.delete(waiter), waiter.resolve());
      done();
    },
  });
  /** Resolves once `msg` has been logged `times` times in all. */
  const logged = (msg: string, times = 1): Promise<void> => {
    const enough = (): boolean => lines.filter((line) => line['msg'] === msg).length >= times;
    return enough() ? Promise.resolve() : new Promise((resolve) => waiters.add({ match: enough, resolve }));
  };
  return { lines, logger: pino({ level: 'info', base: undefined }, sink), logged };
}

const { lines, logger, logged } = logCollector();
let pool: WorkerPool;
let port: number;

/** A new connection each time, so SO_REUSEPORT hashes each to some worker. */
function get(host: string, to = port): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: to, agent: false, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const status = async (): Promise<number> => (await get('nothing.test')).status;

const parsed = parseArgs(['--manifests', '/nonexistent', '--bind-address', '127.0.0.1', '--log-level', 'silent']);
if (parsed.kind !== 'config') throw new Error('bad test flags');
const init = { config: parsed.config, fakeCertificate: await generateFakeCertificate(), rateLimitMemory: createBucketMemory() };
const empty: SourceUpdate = { snapshot: emptySnapshot, endpointSlices: [] };

beforeAll(async () => {
  pool = new WorkerPool({ count: 2, stdoutAccessLog: null, ports: { http: 0, https: 0 }, init, logger, respawnDelayMs: 10 });
  ({ http: port } = await pool.start(empty));
});

afterAll(async () => {
  await pool?.drain(0, () => {});
});

describe('WorkerPool', () => {
  it('a worker that dies is replaced; the other keeps answering meanwhile', async () => {
    expect(pool.serving).toBe(2);
    const [victim] = pool.threads();
    await victim!.terminate();
    // From here the kernel sends every new connection to the surviving worker's socket.
    const during = await Promise.all(Array.from({ length: 20 }, () => status()));
    expect(during).toEqual(Array(20).fill(404)); // Sluice's own default backend: served, not refused
    await logged('worker replaced');
    expect(pool.serving).toBe(2);
    expect(pool.replaced).toBe(1);
    expect(lines.find((line) => line['msg'] === 'worker exited; replacing it')).toMatchObject({ level: 50 });
  });

  it('the replacement acknowledges updates like the others (broadcast resolves once all applied)', async () => {
    await pool.broadcast({ snapshot: emptySnapshot, endpointSlices: [] });
    expect(pool.threads()).toHaveLength(2);
    const after = await Promise.all(Array.from({ length: 20 }, () => status()));
    expect(after).toEqual(Array(20).fill(404));
  });
});

describe('WorkerPool: deltas, then replacement workers', () => {
  /** A pod answering with the path it was asked for (rewrite-target puts the Ingress's version in it). */
  let pod: Server;
  let podPort: number;
  beforeAll(async () => {
    pod = createServer((req, res) => res.end(req.url));
    await new Promise<void>((resolve) => pod.listen(0, '127.0.0.1', resolve));
    podPort = (pod.address() as AddressInfo).port;
  });
  afterAll(() => pod?.close());

  const versioned = (name: string, host: string, backend: string, version: string): Ingress => {
    const built = ingress({ name, rules: [{ host, paths: [{ path: '/', pathType: 'Prefix', service: backend }] }] });
    return { ...built, metadata: { ...built.metadata, annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': `/${version}` } } };
  };
  const slice = (serviceName: string, targetPort: number): EndpointSlice => ({
    kind: 'EndpointSlice',
    metadata: { namespace: 'default', name: serviceName, uid: '', resourceVersion: '', creationTimestamp: '', annotations: {}, labels: {} },
    serviceName,
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: '', port: targetPort, protocol: 'TCP' }],
  });
  const sorted = <T extends KubeObject>(objects: T[]): T[] => objects.sort((a, b) => compareNames(a.metadata, b.metadata));
  const update = (ingresses: Ingress[], services: Service[], slices: EndpointSlice[]): SourceUpdate => ({
    snapshot: { ...emptySnapshot, ingresses: sorted(ingresses), services: sorted(services) },
    endpointSlices: sorted(slices),
  });
  const hosts = async (): Promise<Record<string, string>> => {
    const answers: Record<string, string> = {};
    for (const host of ['keep.test', 'gone.test', 'added.test']) {
      const { status: code, body } = await get(host);
      answers[host] = `${code} ${code === 200 ? body : ''}`.trim();
    }
    return answers;
  };

  it('a replacement started after several deltas serves the current state, then applies further deltas', async () => {
    const web = service('web');
    const keep1 = versioned('keep', 'keep.test', 'web', 'v1');
    const gone = versioned('gone', 'gone.test', 'web', 'v1');
    await pool.broadcast(update([keep1, gone], [web], [slice('web', 1)])); // an Ingress and Services added
    const webSlice = slice('web', podPort);
    await pool.broadcast(update([keep1, gone], [web], [webSlice]), false); // an EndpointSlice changed
    const added = versioned('added', 'added.test', 'none', 'v1');
    const keep2 = versioned('keep', 'keep.test', 'web', 'v2');
    await pool.broadcast(update([keep2, added], [web, service('none')], [webSlice])); // removed, added, changed
    const current = { 'keep.test': '200 /v2', 'gone.test': '404', 'added.test': '503' };
    expect(await hosts()).toEqual(current);

    // Both workers replaced, one at a time: every connection now lands on a worker that started from the full state.
    const replacedBefore = pool.replaced;
    for (const [n, victim] of pool.threads().entries()) {
      await victim.terminate();
      await logged('worker replaced', replacedBefore + n + 1);
    }
    expect(pool.serving).toBe(2);
    for (let i = 0; i < 5; i++) expect(await hosts()).toEqual(current);

    // And they take deltas like the others: an Ingress edit and the pod's port taken away.
    const keep3 = versioned('keep', 'keep.test', 'web', 'v3');
    await pool.broadcast(update([keep3, added], [web, service('none')], [webSlice]));
    for (let i = 0; i < 5; i++) expect(await hosts()).toEqual({ ...current, 'keep.test': '200 /v3' });
    await pool.broadcast(update([keep3, added], [web, service('none')], []), false);
    for (let i = 0; i < 5; i++) expect((await get('keep.test')).status).toBe(503);
  });
});

describe('WorkerPool: a worker out of heap', () => {
  it('is replaced; a replacement that cannot load the state either is tried again, and serves once the state fits', async () => {
    const log = logCollector();
    // A heap limit the empty table fits in and 20 000 Ingresses do not (the real limit is 512 MiB).
    const small = new WorkerPool({ count: 1, stdoutAccessLog: null, ports: { http: 0, https: 0 }, init, logger: log.logger, respawnDelayMs: 10, maxOldGenerationSizeMb: 32 });
    const { http } = await small.start(empty);
    try {
      const many = Array.from({ length: 20_000 }, (_, i) =>
        ingress({ name: `ing-${String(i).padStart(5, '0')}`, rules: [{ host: `h${i}.test`, paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }] }),
      );
      await small.broadcast({ snapshot: { ...emptySnapshot, ingresses: many }, endpointSlices: [] }); // resolves: the worker died
      // The worker, then at least one replacement starting from the same state.
      await log.logged('worker exited; replacing it', 2);
      const failures = log.lines.filter((line) => line['msg'] === 'worker failed');
      expect(failures.length).toBeGreaterThanOrEqual(2);
      for (const line of failures) expect(line['err']).toMatchObject({ code: 'ERR_WORKER_OUT_OF_MEMORY' });
      expect(small.serving).toBe(0);

      await small.broadcast(empty); // the state shrinks: the next replacement starts from it
      await log.logged('worker replaced');
      expect(small.serving).toBe(1);
      expect((await get('nothing.test', http)).status).toBe(404);
    } finally {
      await small.drain(0, () => {});
    }
  });
});
