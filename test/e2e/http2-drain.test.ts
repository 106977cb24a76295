// Graceful shutdown with HTTP/2 clients (real CLI process, SIGTERM): the session gets a GOAWAY at once, so the
// client opens new streams elsewhere, while the stream already in flight still completes.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { h2request, openSession } from '../support/http2-client.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml, writeManifest } from '../support/manifests.ts';

let pod: Server;
let gateway: GatewayProcess;
let httpsPort: number;
/** Responses the pod holds until the test releases them, and a signal per request that reached it. */
const held: ServerResponse[] = [];
let arrived: () => void = () => {};

beforeAll(async () => {
  pod = createServer((_req, res) => {
    held.push(res);
    arrived();
  });
  await new Promise<void>((resolve) => pod.listen(0, '127.0.0.2', resolve));
  const port = (pod.address() as AddressInfo).port;
  const dir = await tempManifestDir();
  await writeManifest(dir, 'all.yaml', toYaml([
    service('slow'),
    ingress('slow', [{ host: 'slow.test', paths: [{ path: '/', service: 'slow' }] }]),
    ...endpointSlices('slow', [{ address: '127.0.0.2', port }]),
  ]));
  ({ gateway } = await startGateway(['--manifests', dir]));
  httpsPort = (await gateway.waitForLog((l) => l.msg === 'listening' && l['listener'] === 'https'))['port'] as number;
});

afterAll(async () => {
  await gateway?.stop();
  pod?.closeAllConnections();
  pod?.close();
});

it('SIGTERM sends GOAWAY on HTTP/2 sessions and lets the stream in flight finish', async () => {
  const session = await openSession(httpsPort, 'slow.test', null);
  const reachedPod = new Promise<void>((resolve) => (arrived = resolve));
  const inFlight = h2request(session, { ':path': '/slow', ':authority': 'slow.test' });
  await reachedPod;
  const goaway = new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)));
  gateway.child.kill('SIGTERM');
  expect(await goaway).toBe(0); // NO_ERROR: a graceful shutdown, not a failure
  held[0]!.end('finished after GOAWAY');
  const reply = await inFlight;
  expect(reply.status).toBe(200);
  expect(reply.body.toString()).toBe('finished after GOAWAY');
  expect(await gateway.exitCode()).toBe(0);
  session.destroy();
});
