// WebSocket (Upgrade) through the gateway with the `ws` package on both ends.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startGateway, type Gateway } from './helpers/gateway.ts';
import { backend, slice } from './helpers/objects.ts';
import { headerMap, startPod } from './helpers/pods.ts';
import { forward, testTable } from './helpers/route-table.ts';
import { waitFor } from './helpers/wait.ts';

let wsHttp: Server;
let wss: WebSocketServer;
let wsPort: number;
let gw: Gateway;
const handshakes: IncomingMessage[] = [];
const serverSockets: WebSocket[] = [];

beforeAll(async () => {
  // Upgrades on /chat only; any other path gets an ordinary 404 with a body, which must reach the client.
  wsHttp = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('no such socket'));
  wss = new WebSocketServer({ noServer: true });
  wsHttp.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/chat')) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nX-Pod: ws\r\n\r\nforbidden');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      handshakes.push(req);
      serverSockets.push(ws);
      ws.on('message', (data, binary) => ws.send(data, { binary }));
    });
  });
  await new Promise<void>((resolve) => wsHttp.listen(0, '127.0.0.2', resolve));
  wsPort = (wsHttp.address() as AddressInfo).port;
  gw = await startGateway({
    table: testTable([
      { host: 'chat.test', path: '/', action: forward(backend('chat')) },
      { host: 'empty.test', path: '/', action: forward(backend('empty')) },
    ]),
    slices: [slice({ service: 'chat', port: wsPort, endpoints: ['127.0.0.2'] })],
  });
});

afterEach(() => {
  handshakes.length = 0;
  serverSockets.length = 0;
});

afterAll(async () => {
  await gw.close();
  wss.close();
  wsHttp.closeAllConnections();
  await new Promise<void>((resolve) => wsHttp.close(() => resolve()));
});

function connect(path: string, host = 'chat.test', headers: Record<string, string> = {}): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${gw.port}${path}`, { headers: { host, ...headers } });
}

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
}

/** The non-101 answer the client got: status, headers and body. */
function refused(ws: WebSocket): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    ws.once('open', () => reject(new Error('unexpectedly opened')));
    ws.once('error', () => undefined);
  });
}

describe('WebSocket', () => {
  it('echoes text and binary messages through the gateway', async () => {
    const ws = connect('/chat');
    await opened(ws);
    const replies: string[] = [];
    ws.on('message', (data) => replies.push(String(data)));
    ws.send('hello');
    ws.send(Buffer.from('binary'));
    ws.send('x'.repeat(256 * 1024));
    await waitFor(() => replies.length === 3);
    expect(replies[0]).toBe('hello');
    expect(replies[1]).toBe('binary');
    expect(replies[2]).toHaveLength(256 * 1024);
    ws.close();
  });

  it('the pod sees the forwarding headers and the handshake headers', async () => {
    const ws = connect('/chat?room=1', 'chat.test', { 'x-forwarded-for': '203.0.113.1', x_bad: '1' });
    await opened(ws);
    const seen = headerMap(handshakes[0]!.rawHeaders);
    expect(handshakes[0]!.url).toBe('/chat?room=1');
    expect(seen.get('host')).toEqual(['chat.test']);
    expect(seen.get('upgrade')).toEqual(['websocket']);
    expect(seen.get('connection')).toEqual(['upgrade']);
    expect(seen.get('sec-websocket-key')).toHaveLength(1);
    expect(seen.get('x-forwarded-for')).toEqual(['127.0.0.1']);
    expect(seen.get('x-original-forwarded-for')).toEqual(['203.0.113.1']);
    expect(seen.get('x-request-id')?.[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.has('x_bad')).toBe(false);
    ws.close();
  });

  // absolute-form.ts: the request line's authority, not the Host header, names the virtual host (RFC 9112 §3.2.2).
  it('an absolute-form upgrade is routed by its authority and reaches the pod in origin-form', async () => {
    const socket = tcpConnect(gw.port, '127.0.0.1');
    let head = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (head += chunk));
    socket.write('GET http://chat.test/chat?room=1 HTTP/1.1\r\nHost: empty.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    await waitFor(() => head.includes('\r\n\r\n'));
    socket.destroy();
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(handshakes[0]).toMatchObject({ url: '/chat?room=1', headers: { host: 'chat.test' } });
  });

  it('closing the client tears down the pod side', async () => {
    const ws = connect('/chat');
    await opened(ws);
    await waitFor(() => serverSockets.length === 1);
    let podSideClosed = false;
    serverSockets[0]!.on('close', () => (podSideClosed = true));
    ws.terminate(); // no close frame: only the TCP teardown tells the pod
    await waitFor(() => podSideClosed);
  });

  it('a client reset (RST, no FIN) tears down the pod side', async () => {
    const socket = await rawUpgradeSocket('/chat');
    await waitFor(() => serverSockets.length === 1);
    let podSideClosed = false;
    serverSockets[0]!.on('close', () => (podSideClosed = true));
    socket.resetAndDestroy();
    await waitFor(() => podSideClosed);
  });

  it('the pod closing tears down the client side', async () => {
    const ws = connect('/chat');
    await opened(ws);
    await waitFor(() => serverSockets.length === 1);
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    serverSockets[0]!.terminate();
    await closed;
  });

  it('a non-101 answer from the pod reaches the client intact', async () => {
    const answer = await refused(connect('/elsewhere'));
    expect(answer.status).toBe(403);
    expect(answer.body).toBe('forbidden');
    expect(answer.headers['x-pod']).toBe('ws');
    expect(answer.headers.server).toBe('sluice');
  });

  it('a pod without WebSocket support answers with its ordinary (chunked) 404, relayed intact', async () => {
    try {
      const plainPod = await startPod('127.0.0.4', (_req, res) => {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.write('not a ');
        res.end('websocket');
      });
      gw.store.update([slice({ service: 'chat', port: plainPod.port, endpoints: [plainPod.ip] })]);
      const answer = await refused(connect('/chat'));
      expect(answer.status).toBe(404);
      expect(answer.body).toBe('not a websocket');
      await plainPod.kill();
    } finally {
      gw.store.update([slice({ service: 'chat', port: wsPort, endpoints: ['127.0.0.2'] })]);
    }
  });

  it.each([
    ['unknown host → 404', 'nowhere.test', '/chat', 404],
    ['no endpoints → 503', 'empty.test', '/chat', 503],
    // Sent with node:http: WHATWG URL parsing in the ws client would resolve the dot-segments itself.
    ['escaping path → 400', 'chat.test', '/../chat', 400],
  ])('%s', async (_name, host, path, status) => {
    const answer = await rawUpgrade(path, host);
    expect(answer.status).toBe(status);
    expect(answer.headers.server).toBe('sluice');
    expect(answer.headers.connection).toBe('close');
  });

  it('a dead pod → 502 on the upgrade request', async () => {
    const dead = await startPod('127.0.0.5');
    await dead.kill();
    gw.store.update([slice({ service: 'chat', port: dead.port, endpoints: [dead.ip] })]);
    try {
      expect((await refused(connect('/chat'))).status).toBe(502);
    } finally {
      gw.store.update([slice({ service: 'chat', port: wsPort, endpoints: ['127.0.0.2'] })]);
    }
  });

  it('open WebSockets keep working across a table swap', async () => {
    const ws = connect('/chat');
    await opened(ws);
    const table = gw.slot.current;
    gw.slot.swap(testTable([]));
    try {
      const reply = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
      ws.send('still here');
      expect(await reply).toBe('still here');
      expect((await refused(connect('/chat'))).status).toBe(404); // new handshakes see the new table
    } finally {
      gw.slot.swap(table);
      ws.close();
    }
  });

  it('the gateway\'s close() cuts open WebSockets', async () => {
    const own = await startGateway({
      table: gw.slot.current,
      slices: [slice({ service: 'chat', port: wsPort, endpoints: ['127.0.0.2'] })],
    });
    const ws = new WebSocket(`ws://127.0.0.1:${own.port}/chat`, { headers: { host: 'chat.test' } });
    await opened(ws);
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    await own.close();
    await closed;
  });
});

function upgradeRequest(path: string, host: string) {
  return request({
    host: '127.0.0.1',
    port: gw.port,
    path,
    agent: false,
    headers: {
      host,
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    },
  });
}

function rawUpgradeSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = upgradeRequest(path, 'chat.test');
    req.on('upgrade', (_res, socket) => resolve(socket));
    req.on('response', (res) => reject(new Error(`no upgrade (${res.statusCode})`)));
    req.on('error', reject);
    req.end();
  });
}

function rawUpgrade(path: string, host: string): Promise<{ status: number; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const req = upgradeRequest(path, host);
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      reject(new Error(`unexpected upgrade (${res.statusCode})`));
    });
    req.on('error', reject);
    req.end();
  });
}
