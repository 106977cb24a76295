// Graceful shutdown of the real CLI under traffic (SIGTERM, as the kubelet sends it): readiness fails at once,
// the listener keeps serving for --shutdown-delay while keep-alive clients are told to reconnect, then closes;
// requests and WebSockets in flight finish within --shutdown-grace-period; the process exits 0, cutting at the end
// of the grace period what is still open, a WebSocket handshake still waiting for its pod included.
import { createServer, Agent, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GatewayProcess, startGateway } from '../support/gateway-process.ts';
import { send, type Reply } from '../support/http-client.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml, writeManifest } from '../support/manifests.ts';

const delayMs = 1000;
const graceMs = 1500;
let pod: Server;
/** Accepts connections and never answers: a WebSocket handshake to it waits for the pod (60 s read timeout). */
let silentPod: TcpServer;
const silentSockets: Socket[] = [];
let gateway: GatewayProcess;
let http: string;
let status: string;

beforeAll(async () => {
  pod = createServer((req, res) => {
    // /slow is still in flight when the listener closes: it must finish inside the grace period.
    const wait = req.url === '/slow' ? delayMs : 0;
    setTimeout(() => res.end('ok'), wait);
  });
  const wss = new WebSocketServer({ server: pod });
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo ${String(data)}`)));
  await new Promise<void>((resolve) => pod.listen(0, '127.0.0.3', resolve));
  const port = (pod.address() as AddressInfo).port;
  silentPod = createTcpServer((socket) => silentSockets.push(socket));
  await new Promise<void>((resolve) => silentPod.listen(0, '127.0.0.4', resolve));
  const dir = await tempManifestDir();
  await writeManifest(dir, 'all.yaml', toYaml([
    service('web'), service('silent'),
    ingress('web', [{ host: 'web.test', paths: [{ path: '/', service: 'web' }] }, { host: 'silent.test', paths: [{ path: '/', service: 'silent' }] }]),
    ...endpointSlices('web', [{ address: '127.0.0.3', port }]),
    ...endpointSlices('silent', [{ address: '127.0.0.4', port: (silentPod.address() as AddressInfo).port }]),
  ]));
  ({ gateway, http, status } = await startGateway([
    '--manifests', dir, '--shutdown-delay', String(delayMs / 1000), '--shutdown-grace-period', String(graceMs / 1000),
  ]));
});

afterAll(async () => {
  await gateway?.stop();
  pod?.closeAllConnections();
  pod?.close();
  for (const socket of silentSockets) socket.destroy();
  silentPod?.close();
});

/** A WebSocket handshake to the silent pod; resolves once the gateway closes the client's connection. */
function pendingHandshake(): { closed: Promise<string> } {
  const { hostname, port } = new URL(http);
  const socket = connect(Number(port), hostname);
  let answer = '';
  socket.on('data', (d) => (answer += d.toString('latin1')));
  socket.write('GET /chat HTTP/1.1\r\nHost: silent.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
  return { closed: new Promise((resolve) => socket.on('close', () => resolve(answer)).on('error', () => undefined)) };
}

function openWebSocket(): Promise<WebSocket> {
  const ws = new WebSocket(`${http.replace('http', 'ws')}/chat`, { headers: { host: 'web.test' } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function roundTrip(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data) => resolve(String(data)));
    ws.once('error', reject);
    ws.send(text);
  });
}

it('SIGTERM: no failed request while the listener is open, WebSockets and slow requests finish, exit 0', async () => {
  const ws = await openWebSocket();
  const handshake = pendingHandshake();
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const replies: Array<{ at: number; reply: Reply }> = [];
  const failures: string[] = [];
  let sendUntil = Number.POSITIVE_INFINITY;
  // Four keep-alive clients in a loop, like a load balancer's connection pool.
  const client = async (): Promise<void> => {
    while (Date.now() < sendUntil) {
      try {
        replies.push({ at: Date.now(), reply: await send(http, '/', { host: 'web.test', agent }) });
      } catch (error: unknown) {
        failures.push(String(error));
      }
    }
  };
  const clients = [client(), client(), client(), client()];
  await sleep(200);

  const signalledAt = Date.now();
  gateway.child.kill('SIGTERM');
  // Readiness fails at once, so the endpoint leaves the Service while the listener still serves.
  let readyz = await send(status, '/readyz');
  while (readyz.status !== 503 && Date.now() - signalledAt < 200) readyz = await send(status, '/readyz');
  expect(readyz.status).toBe(503);
  const slow = send(http, '/slow', { host: 'web.test' });
  // Clients stop a little before the listener closes: by then kube-proxy would have stopped sending here.
  sendUntil = signalledAt + delayMs - 300;
  await Promise.all(clients);
  expect(failures).toEqual([]);
  const during = replies.filter((r) => r.at > signalledAt + 100);
  expect(during.length).toBeGreaterThan(10);
  expect(during.every((r) => r.reply.status === 200 && r.reply.headers.connection === 'close')).toBe(true);
  expect(replies.filter((r) => r.at < signalledAt).every((r) => r.reply.headers.connection === 'keep-alive')).toBe(true);

  await gateway.waitForLog((l) => l.msg === 'shutdown: listeners closing');
  expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(delayMs - 50);
  await expect(send(http, '/', { host: 'web.test' })).rejects.toThrow(/ECONNREFUSED/);
  // In flight across the close: the slow request and the WebSocket still work.
  expect((await slow).status).toBe(200);
  expect(await roundTrip(ws, 'after close')).toBe('echo after close');

  // The WebSocket is cut when the grace period ends, then the process exits 0.
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  await closed;
  expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(delayMs + graceMs - 100);
  // The handshake still waiting for the silent pod is cut with it (no answer), and does not hold the exit.
  expect(silentSockets).toHaveLength(1);
  expect(await handshake.closed).toBe('');
  expect(await gateway.exitCode()).toBe(0);
  // Far below the 60 s read timeout the handshake would otherwise hold the exit for; room for a loaded machine.
  expect(Date.now() - signalledAt).toBeLessThan(delayMs + graceMs + 10_000);
  agent.destroy();
});

it('SIGTERM while starting (after the status listener, before the workers serve): exit 0 at once, said in the log', async () => {
  const examples = new URL('../../examples', import.meta.url).pathname;
  const starting = new GatewayProcess([
    '--manifests', examples, '--ingress-class', 'nginx', '--workers', '1', '--http-port', '0', '--https-port', '0', '--status-port', '0',
    '--bind-address', '127.0.0.1', '--shutdown-delay', '0',
  ]);
  // main.ts logs the status listener before it starts the workers: the signal lands mid-start.
  await starting.listening('status');
  starting.child.kill('SIGTERM');
  expect(await starting.stop()).toBe(0);
  expect(starting.lines.some((line) => line.msg === 'shutting down during start-up: nothing to drain' && line['signal'] === 'SIGTERM')).toBe(true);
});
