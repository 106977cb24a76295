// --workers N through the real CLI: the kernel spreads connections over the worker threads (SO_REUSEPORT), every
// worker serves the same table, a change is served by all of them once 'routing table installed' is logged, and
// per-node rate-limit budgets are one budget however many workers the requests land on.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml, writeManifest } from '../support/manifests.ts';
import { annotated } from './annotations-fixture.ts';

/** A pod that records the source port of the connection each request came on: one per worker's keep-alive pool. */
let pod: Server;
const upstreamConnections = new Set<number>();
let gateway: GatewayProcess;
let http: string;
let dir: string;

function hit(host: string, from: string, path = '/'): Promise<{ status: number; body: string }> {
  const url = new URL(http);
  return new Promise((resolve, reject) => {
    // A new connection each time, so SO_REUSEPORT hashes each to some worker.
    const req = request({ hostname: url.hostname, port: url.port, path, agent: false, localAddress: from, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const objects = (text: string) => [
  service('web'),
  ...endpointSlices('web', [{ address: '127.0.0.2', port: (pod.address() as AddressInfo).port }]),
  ingress('plain', [{ host: 'plain.test', paths: [{ path: '/', service: 'web' }] }]),
  annotated(ingress('limited', [{ host: 'limited.test', paths: [{ path: '/', service: 'web' }] }]), { 'limit-rps': '1' }),
  // The pod answers with the path it was asked for; rewrite-target makes the text part of the routing table.
  annotated(ingress('text', [{ host: 'text.test', paths: [{ path: '/', service: 'web' }] }]), { 'rewrite-target': `/${text}` }),
];

beforeAll(async () => {
  pod = createServer((req, res) => {
    upstreamConnections.add(req.socket.remotePort ?? 0);
    res.end(req.url);
  });
  await new Promise<void>((resolve) => pod.listen(0, '127.0.0.2', resolve));
  dir = await tempManifestDir();
  await writeManifest(dir, 'objects.yaml', toYaml(objects('v1')));
  ({ gateway, http } = await startGateway(['--manifests', dir, '--workers', '3', '--watch-ingress-without-class']));
});

afterAll(async () => {
  await gateway?.stop();
  pod?.close();
});

describe('--workers 3', () => {
  it('connections are spread over the workers (each worker has its own upstream keep-alive pool)', async () => {
    upstreamConnections.clear();
    for (let i = 0; i < 30; i++) expect((await hit('plain.test', '127.0.0.1')).status).toBe(200);
    // Sequential requests reuse their worker's one pooled connection, so distinct upstream connections = the
    // workers that served. 30 connections all hashed to one of 3 workers: probability 3 × 3^-30.
    expect(upstreamConnections.size).toBeGreaterThanOrEqual(2);
    expect(upstreamConnections.size).toBeLessThanOrEqual(3);
  });

  it('limit-rps 1 is one node budget across workers: exactly burst + 1 = 6 of 40 connections admitted', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await hit('limited.test', '127.0.11.1')).status);
    // Per-worker buckets would admit up to 6 per worker that got at least 6 of the 40 connections.
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    expect(statuses.slice(0, 6)).toEqual(Array(6).fill(200));
  });

  it("after 'routing table installed', every worker serves the new table", async () => {
    const generation = gateway.generation;
    await writeManifest(dir, 'objects.yaml', toYaml(objects('v2')));
    await gateway.waitForGeneration(generation);
    const bodies = new Set<string>();
    for (let i = 0; i < 30; i++) bodies.add((await hit('text.test', '127.0.0.1')).body);
    expect([...bodies]).toEqual(['/v2']);
  });

  it('--access-log stdout with workers: every line whole (one writer, the primary), one per request', async () => {
    const logged = await startGateway(['--manifests', dir, '--workers', '3', '--watch-ingress-without-class', '--access-log', 'stdout']);
    const base = http;
    http = logged.http;
    // 600 lines of ≈3.5 KiB: ≈2 MiB, many 64 KiB blocks from each worker through the primary to stdout (a pipe).
    const paths = Array.from({ length: 600 }, (_, i) => `/${i}?q=${'q'.repeat(3000)}`);
    try {
      for (let i = 0; i < paths.length; i += 20) {
        const answers = await Promise.all(paths.slice(i, i + 20).map((path) => hit('plain.test', '127.0.0.1', path)));
        expect(answers.every((answer) => answer.status === 200)).toBe(true);
      }
    } finally {
      http = base;
      await logged.gateway.stop(); // shutdown flushes the workers' buffered lines through the primary
    }
    const access = logged.gateway.lines.filter((line) => line['host'] === 'plain.test');
    expect(access.every((line) => line['status'] === 200)).toBe(true);
    expect(access.map((line) => line['path']).sort()).toEqual([...paths].sort());
    // A line cut by another writer would not parse as JSON (GatewayProcess keeps it as { msg: text }).
    expect(logged.gateway.lines.filter((line) => line['level'] === 30 && !('time' in line))).toEqual([]);
  });
});
