// Rate limits apply to upgrade requests too (real CLI, real sockets). Node hands any request carrying
// `Connection: upgrade` + `Upgrade` to the 'upgrade' listener, so a limit enforced only on the 'request' path
// could be bypassed by adding those two headers to a plain GET; and a WebSocket holds a limit-connections slot
// for as long as its tunnel is open.
import { createServer, type Server } from 'node:http';
import { connect as tcpConnect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml, writeManifest } from '../support/manifests.ts';
import { annotated } from './annotations-fixture.ts';

let pod: Server;
let wss: WebSocketServer;
let gateway: GatewayProcess;
let http: string;
const nginx = { ingressClassName: 'nginx' };

beforeAll(async () => {
  // Plain requests get 200; a WebSocket handshake is accepted and echoed; any other upgrade gets a plain 200.
  pod = createServer((_req, res) => res.end('ok\n'));
  wss = new WebSocketServer({ noServer: true });
  pod.on('upgrade', (req, socket, head) => {
    if (req.headers['sec-websocket-key'] === undefined) {
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data) => ws.send(data)));
  });
  await new Promise<void>((resolve) => pod.listen(0, '127.0.0.4', resolve));
  const port = (pod.address() as AddressInfo).port;
  const dir = await tempManifestDir();
  await writeManifest(dir, 'objects.yaml', toYaml([
    service('ws'), ...endpointSlices('ws', [{ address: '127.0.0.4', port }]),
    annotated(ingress('r', [{ host: 'rps.test', paths: [{ path: '/', service: 'ws' }] }], nginx), { 'limit-rps': '1' }),
    annotated(ingress('c', [{ host: 'conn.test', paths: [{ path: '/', service: 'ws' }] }], nginx), { 'limit-connections': '1' }),
  ]));
  ({ gateway, http } = await startGateway(['--manifests', dir, '--ingress-class', 'nginx']));
});

afterAll(async () => {
  await gateway?.stop();
  wss?.close();
  pod?.closeAllConnections();
  await new Promise((resolve) => pod?.close(resolve));
});

/** A GET with `Connection: upgrade` + `Upgrade: websocket` (no handshake key) on a raw socket: the status and head. */
function upgradeGet(host: string, from: string): Promise<{ status: number; head: string }> {
  const url = new URL(http);
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: url.hostname, port: Number(url.port), localAddress: from });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), head: text }));
    socket.end(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n`);
  });
}

function open(host: string, from: string): WebSocket {
  const url = new URL(http);
  return new WebSocket(`ws://${url.host}/`, { headers: { host }, localAddress: from });
}

function outcome(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

describe('rate limits on upgrade requests', () => {
  it('limit-rps 1: GETs carrying Connection: upgrade are refused after burst+1, like plain GETs', async () => {
    const seen: number[] = [];
    for (let i = 0; i < 7; i++) seen.push((await upgradeGet('rps.test', '127.0.7.1')).status);
    expect(seen).toEqual([...Array<number>(6).fill(200), 503]);
    const refused = await upgradeGet('rps.test', '127.0.7.1');
    expect(refused.head).toContain('\r\n\r\n503 Service Temporarily Unavailable\n');
  });

  it('limit-connections 1: a second concurrent WebSocket from the same client is refused while the first is open', async () => {
    const first = open('conn.test', '127.0.7.2');
    expect(await outcome(first)).toBe(101);
    expect(await outcome(open('conn.test', '127.0.7.2'))).toBe(503);
    const other = open('conn.test', '127.0.7.3');
    expect(await outcome(other)).toBe(101);
    other.close();
    // The slot is held until the tunnel closes, then freed.
    await new Promise((resolve) => first.once('close', resolve).close());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = open('conn.test', '127.0.7.2');
    expect(await outcome(again)).toBe(101);
    again.close();
  });
});
