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
let refusingPort: number;

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
  // Nothing listens there: each request makes the worker that serves it log 'upstream failed'.
  service('refusing'),
  ...endpointSlices('refusing', [{ address: '127.0.0.2', port: refusingPort }]),
  ingress('refusing', [{ host: 'refusing.test', paths: [{ path: '/', service: 'refusing' }] }]),
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
  // A port that was free a moment ago and is closed again: connects to it are refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.2', resolve));
  refusingPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
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

  it('--access-log stdout: log lines of the primary and the workers never cut an access-log line, even with the pipe full', async () => {
    const logged = await startGateway(['--manifests', dir, '--workers', '2', '--watch-ingress-without-class', '--access-log', 'stdout']);
    const base = http;
    http = logged.http;
    // ≈1 MiB of access lines while nobody reads stdout: the primary's writes to the full pipe go in pieces.
    const paths = Array.from({ length: 300 }, (_, i) => `/${i}?q=${'q'.repeat(3000)}`);
    logged.gateway.pauseOutput();
    let stopped: Promise<number | null> | undefined;
    try {
      for (let i = 0; i < paths.length; i += 20) {
        await Promise.all(paths.slice(i, i + 20).map((path) => hit('plain.test', '127.0.0.1', path)));
        // A worker's warning and debug lines, between the blocks.
        expect((await hit('refusing.test', '127.0.0.1')).status).toBe(502);
      }
      // The primary's own lines ('shutting down', 'shutdown: listeners closing', …), with the pipe still full.
      stopped = logged.gateway.stop();
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      logged.gateway.resumeOutput();
      http = base;
    }
    expect(await stopped).toBe(0);
    const lines = logged.gateway.lines;
    // A cut line does not parse as JSON (GatewayProcess keeps it as { msg: text }, without `time`).
    expect(lines.filter((line) => !('time' in line)).map((line) => String(line.msg).slice(0, 80))).toEqual([]);
    const access = lines.filter((line) => line['host'] === 'plain.test');
    expect(access.map((line) => line['path']).sort()).toEqual([...paths].sort());
    expect(lines.filter((line) => line.msg === 'upstream failed' && line['worker'] !== undefined).length).toBeGreaterThanOrEqual(15);
    expect(lines.some((line) => line.msg === 'shutdown: listeners closing')).toBe(true);
  });
});
