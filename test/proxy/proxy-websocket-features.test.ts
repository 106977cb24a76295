// Upgrade requests go through the same redirect and rewrite stages as plain ones (upgrade-handler.ts): a
// rewritten target and upstream-vhost reach the pod's handshake; a redirect is answered on the raw socket.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startGateway, type Gateway } from './helpers/gateway.ts';
import { backend, slice } from './helpers/objects.ts';
import { forward, testTable } from './helpers/route-table.ts';

let wsHttp: Server;
let wss: WebSocketServer;
let gw: Gateway;
const handshakes: IncomingMessage[] = [];

beforeAll(async () => {
  wsHttp = createServer((_req, res) => res.writeHead(404).end());
  wss = new WebSocketServer({ noServer: true });
  wsHttp.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      handshakes.push(req);
      ws.on('message', (data, binary) => ws.send(data, { binary }));
    });
  });
  await new Promise<void>((resolve) => wsHttp.listen(0, '127.0.0.2', resolve));
  const port = (wsHttp.address() as AddressInfo).port;
  const chat = backend('chat');
  gw = await startGateway({
    table: testTable([
      {
        host: 'rewrite.test',
        path: '/',
        action: forward(chat),
        features: {
          rewrite: { pattern: /^(?:\/[rR][oO][oO][mM](\/|$)([^\n]*))/, parts: ['/chat/', 2], redirect: false },
          upstreamHost: 'chat.internal',
          forwardedPrefix: '/room',
        },
      },
      { host: 'secure.test', path: '/', action: forward(chat), features: { sslRedirect: { status: 308, preserveTrailingSlash: false } } },
    ]),
    slices: [slice({ service: 'chat', port, endpoints: ['127.0.0.2'] })],
  });
});

afterAll(async () => {
  await gw.close();
  wss.close();
  wsHttp.closeAllConnections();
  await new Promise<void>((resolve) => wsHttp.close(() => resolve()));
});

describe('WebSocket upgrades with route features', () => {
  it('sends the rewritten target, upstream-vhost and X-Forwarded-Prefix in the handshake', async () => {
    const client = new WebSocket(`ws://127.0.0.1:${gw.port}/Room/lobby?x=1`, { headers: { host: 'rewrite.test' } });
    await new Promise<void>((resolve, reject) => client.once('open', resolve).once('error', reject));
    client.send('hello');
    const [echo] = await new Promise<[Buffer]>((resolve) => client.once('message', (data) => resolve([data as Buffer])));
    expect(echo.toString()).toBe('hello');
    expect(handshakes.at(-1)?.url).toBe('/chat/lobby?x=1');
    expect(handshakes.at(-1)?.headers.host).toBe('chat.internal');
    expect(handshakes.at(-1)?.headers['x-forwarded-prefix']).toBe('/room');
    client.close();
  });

  it('answers a redirect on the raw socket', async () => {
    const reply = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1', port: gw.port, path: '/socket/', agent: false,
        headers: { host: 'secure.test', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      req.on('response', (res) => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
    expect(reply).toEqual({ status: 308, location: 'https://secure.test/socket' });
  });
});
