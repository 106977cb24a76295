// The primary's worker pool with real worker threads and real sockets: a worker that dies is replaced while the
// others keep serving, and the replacement starts from the newest update.
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/options.ts';
import { emptySnapshot } from '../../src/model/index.ts';
import { createBucketMemory } from '../../src/proxy/rate-limit/shared-buckets.ts';
import { generateFakeCertificate } from '../../src/tls/index.ts';
import { WorkerPool } from '../../src/workers/index.ts';

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
const logged = (msg: string): Promise<void> =>
  lines.some((line) => line['msg'] === msg) ? Promise.resolve() : new Promise((resolve) => waiters.add({ match: (line) => line['msg'] === msg, resolve }));

let pool: WorkerPool;
let port: number;

function status(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent: false, headers: { host: 'nothing.test' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const parsed = parseArgs(['--manifests', '/nonexistent', '--bind-address', '127.0.0.1', '--log-level', 'silent']);
  if (parsed.kind !== 'config') throw new Error('bad test flags');
  pool = new WorkerPool({
    count: 2,
    stdoutAccessLog: null,
    ports: { http: 0, https: 0 },
    init: { config: parsed.config, fakeCertificate: await generateFakeCertificate(), rateLimitMemory: createBucketMemory() },
    logger: pino({ level: 'info', base: undefined }, sink),
    respawnDelayMs: 10,
  });
  ({ http: port } = await pool.start({ snapshot: emptySnapshot, endpointSlices: [] }));
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
