// Sluice's own HTTP/1.x server (src/proxy/http1/) on the wire: raw client sockets on loopback, a small handler,
// and assertions on the exact bytes — framing, keep-alive, pipelining order, refusals, timeouts, the hand-over of
// upgrades and the end of a connection. The proxy's behaviour through it is the rest of test/proxy and test/e2e.
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Http1Request } from '../../src/proxy/http1/http1-request.ts';
import type { Http1Response } from '../../src/proxy/http1/http1-response.ts';
import { Http1Server } from '../../src/proxy/http1/http1-server.ts';

type Handler = (req: Http1Request, res: Http1Response) => void;

const servers: Http1Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function serve(handler: Handler, options = { keepAliveTimeout: 75_000, headersTimeout: 60_000 }): Promise<{ server: Http1Server; port: number }> {
  const server = new Http1Server(options, handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A raw client: what it received so far, whether the server closed, and a wait for a condition on the text. */
function client(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  const state = { text: '', ended: false, reset: false, socket };
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (state.text += chunk));
  socket.on('end', () => (state.ended = true));
  socket.on('error', () => (state.reset = true));
  socket.on('close', () => (state.ended = true));
  const until = async (done: () => boolean, timeoutMs = 3000): Promise<void> => {
    const start = Date.now();
    while (!done()) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out; received: ${JSON.stringify(state.text)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const answers = (): number => state.text.split('HTTP/1.1 ').length - 1;
  return { state, socket, until, answers, send: (text: string) => socket.write(text, 'latin1') };
}

const hello: Handler = (req, res) => {
  res.writeHead(200, ['Content-Length', String(req.url.length), 'X-Method', req.method]);
  res.end(req.url);
};

describe("Sluice's HTTP/1.x server", () => {
  it('answers with Content-Length framing, Date and keep-alive, and serves a second request on the same connection', async () => {
    const { port } = await serve(hello);
    const c = client(port);
    c.send('GET /first HTTP/1.1\r\nHost: a\r\n\r\n');
    await c.until(() => c.state.text.endsWith('/first'));
    c.send('GET /second HTTP/1.1\r\nHost: a\r\n\r\n');
    await c.until(() => c.state.text.endsWith('/second'));
    const [head] = c.state.text.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toContain('Content-Length: 6\r\nX-Method: GET\r\n');
    expect(head).toMatch(/\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n/);
    expect(head).toContain('Connection: keep-alive\r\nKeep-Alive: timeout=75');
    expect(c.state.ended).toBe(false);
    c.socket.destroy();
  });

  it('answers pipelined requests in order, each handed to the handler only after the previous answer left', async () => {
    const order: string[] = [];
    const { port } = await serve((req, res) => {
      order.push(`start ${req.url}`);
      // The first answer is the slowest: a server answering out of order would put /b first.
      setTimeout(() => {
        order.push(`end ${req.url}`);
        hello(req, res);
      }, req.url === '/a' ? 100 : 1);
    });
    const c = client(port);
    c.send('GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n');
    await c.until(() => c.answers() === 3 && c.state.text.endsWith('/c'));
    expect(c.state.text.indexOf('/a')).toBeLessThan(c.state.text.indexOf('/b'));
    expect(c.state.text.indexOf('/b')).toBeLessThan(c.state.text.indexOf('/c'));
    expect(order).toEqual(['start /a', 'end /a', 'start /b', 'end /b', 'start /c', 'end /c']);
    c.socket.destroy();
  });

  it('sends a body of unknown length chunked to HTTP/1.1 clients, and close-delimited to HTTP/1.0 ones', async () => {
    const { port } = await serve((_req, res) => {
      res.writeHead(200, ['Content-Type', 'text/plain']);
      res.write('abc');
      res.write(Buffer.alloc(0));
      res.end('defgh');
    });
    const c11 = client(port);
    c11.send('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await c11.until(() => c11.state.text.endsWith('0\r\n\r\n'));
    expect(c11.state.text).toContain('Transfer-Encoding: chunked\r\n');
    expect(c11.state.text.split('\r\n\r\n').slice(1).join('\r\n\r\n')).toBe('3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n');
    c11.socket.destroy();

    const c10 = client(port);
    c10.send('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await c10.until(() => c10.state.ended);
    expect(c10.state.text).not.toContain('chunked');
    expect(c10.state.text).toContain('Connection: close\r\n');
    expect(c10.state.text.endsWith('\r\n\r\nabcdefgh')).toBe(true);
  });

  it('sends no body to HEAD, nor for 204 and 304, whatever the handler writes', async () => {
    const { port } = await serve((req, res) => {
      const status = req.url === '/204' ? 204 : req.url === '/304' ? 304 : 200;
      res.writeHead(status, ['Content-Length', '5']);
      res.end('hello');
    });
    const c = client(port);
    c.send('HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /204 HTTP/1.1\r\nHost: a\r\n\r\nGET /304 HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await c.until(() => c.answers() === 4 && c.state.text.endsWith('hello'));
    expect(c.state.text.split('hello')).toHaveLength(2);
    expect(c.state.text).toMatch(/HTTP\/1\.1 200 OK[^]*HTTP\/1\.1 204 No Content[^]*HTTP\/1\.1 304 Not Modified[^]*HTTP\/1\.1 200 OK/);
    c.socket.destroy();
  });

  it.each([
    ['an HTTP/1.1 request without Host', 'GET / HTTP/1.1\r\nX: y\r\n\r\n', 400],
    ['a malformed request line', 'GET / HTTQ/1.1\r\nHost: a\r\n\r\n', 400],
    ['a header value with a bare LF inside a field name', 'GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n', 400],
    ['a head larger than node\'s 16 KiB limit', `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`, 431],
  ])('refuses %s with %s and closes the connection, without calling the handler', async (_name, request, status) => {
    let called = 0;
    const { port } = await serve((req, res) => {
      called++;
      hello(req, res);
    });
    const c = client(port);
    c.send(request);
    await c.until(() => c.state.ended);
    expect(c.state.text).toMatch(new RegExp(`^HTTP/1\\.1 ${status} [^\\r]+\\r\\nConnection: close\\r\\n\\r\\n$`));
    expect(called).toBe(0);
  });

  it('ends the connection after an answer when the request or the answer says Connection: close', async () => {
    const { port } = await serve((req, res) => {
      if (req.url === '/close') res.setHeader('connection', 'close');
      hello(req, res);
    });
    const asked = client(port);
    asked.send('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    await asked.until(() => asked.state.ended);
    expect(asked.state.text).toContain('Connection: close\r\n');
    const answered = client(port);
    answered.send('GET /close HTTP/1.1\r\nHost: a\r\n\r\n');
    await answered.until(() => answered.state.ended);
    expect(answered.state.text.match(/connection: close/gi)).toHaveLength(1);
    expect(answered.state.text.endsWith('/close')).toBe(true);
  });

  it('rejects an invalid header from the handler before anything is written, as node:http does', async () => {
    const errors: unknown[] = [];
    const { port } = await serve((_req, res) => {
      try {
        res.writeHead(200, ['X-Evil', 'a\r\nSet-Cookie: stolen=1']);
      } catch (error) {
        errors.push((error as { code?: string }).code);
      }
      try {
        res.writeHead(200, ['Bad Name', 'x']);
      } catch (error) {
        errors.push((error as { code?: string }).code);
      }
      res.writeHead(502, ['Content-Length', '0']);
      res.end();
    });
    const c = client(port);
    c.send('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await c.until(() => c.state.text.includes('\r\n\r\n'));
    expect(errors).toEqual(['ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN']);
    expect(c.state.text).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
    expect(c.state.text).not.toContain('stolen');
    c.socket.destroy();
  });

  it('delivers a chunked request body with pause/resume, then ends it', async () => {
    const { port } = await serve((req, res) => {
      const parts: string[] = [];
      req.pause();
      setTimeout(() => req.resume(), 50); // held while paused, delivered on resume
      req.on('data', (chunk: Buffer) => parts.push(chunk.toString()));
      req.on('end', () => {
        const body = `${req.complete}:${parts.join('')}`;
        res.writeHead(200, ['Content-Length', String(body.length)]);
        res.end(body);
      });
    });
    const c = client(port);
    c.send('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n');
    await new Promise((resolve) => setTimeout(resolve, 20));
    c.send('5\r\npedia\r\n0\r\n\r\n');
    await c.until(() => c.state.text.endsWith('true:wikipedia'));
    c.socket.destroy();
  });

  it('answered before the body was read, drops the rest of it and serves the next request on the same connection', async () => {
    const { port } = await serve(hello);
    const c = client(port);
    c.send('POST /early HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n12345');
    await c.until(() => c.state.text.endsWith('/early'));
    c.send('67890GET /next HTTP/1.1\r\nHost: a\r\n\r\n');
    await c.until(() => c.state.text.endsWith('/next'));
    expect(c.answers()).toBe(2);
    expect(c.state.ended).toBe(false);
    c.socket.destroy();
  });

  it('tells the answer when the client leaves before it is complete: close without finish', async () => {
    const events: string[] = [];
    let settle!: () => void;
    const closed = new Promise<void>((resolve) => (settle = resolve));
    const { port } = await serve((_req, res) => {
      res.writeHead(200, ['Content-Length', '100']);
      res.write('partial');
      res.on('finish', () => events.push('finish'));
      res.on('close', () => {
        events.push(`close finished=${res.writableFinished}`);
        settle();
      });
    });
    const c = client(port);
    c.send('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await c.until(() => c.state.text.endsWith('partial'));
    c.socket.destroy();
    await closed;
    expect(events).toEqual(['close finished=false']);
  });

  it("emits 'finish' then 'close' once a complete answer left", async () => {
    const events: string[] = [];
    const { port } = await serve((req, res) => {
      res.on('finish', () => events.push('finish'));
      res.on('close', () => events.push(`close finished=${res.writableFinished}`));
      hello(req, res);
    });
    const c = client(port);
    c.send('GET /x HTTP/1.1\r\nHost: a\r\n\r\n');
    await c.until(() => events.length === 2);
    expect(events).toEqual(['finish', 'close finished=true']);
    c.socket.destroy();
  });

  it("hands an upgrade request over with the socket and the bytes read past its head", async () => {
    const { server, port } = await serve(hello);
    server.on('upgrade', (req: Http1Request, socket: Socket, head: Buffer) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\n\r\n${req.url} head=${head.toString()}`);
      socket.on('data', (data: Buffer) => socket.write(`|echo ${data.toString()}`));
      socket.on('end', () => socket.destroy());
    });
    const c = client(port);
    c.send('GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nearly');
    await c.until(() => c.state.text.includes('head=early'));
    c.send('later');
    await c.until(() => c.state.text.endsWith('|echo later'));
    expect(c.state.text.startsWith('HTTP/1.1 101 Switching Protocols\r\n\r\n/ws head=early')).toBe(true);
    c.socket.destroy();
  });

  it('closes idle connections on closeIdleConnections(), and leaves one with a request in progress', async () => {
    let answer!: () => void;
    const { server, port } = await serve((req, res) => {
      if (req.url === '/slow') answer = () => hello(req, res);
      else hello(req, res);
    });
    const idle = client(port);
    idle.send('GET /quick HTTP/1.1\r\nHost: a\r\n\r\n');
    await idle.until(() => idle.state.text.endsWith('/quick'));
    const busy = client(port);
    busy.send('GET /slow HTTP/1.1\r\nHost: a\r\n\r\n');
    await busy.until(() => answer !== undefined);
    server.closeIdleConnections();
    await idle.until(() => idle.state.ended);
    answer();
    await busy.until(() => busy.state.text.endsWith('/slow'));
    expect(busy.state.ended).toBe(false);
    busy.socket.destroy();
  });

  it('ends a keep-alive connection idle past keepAliveTimeout, and answers 408 to a head not complete within headersTimeout', async () => {
    const { port } = await serve(hello, { keepAliveTimeout: 300, headersTimeout: 300 });
    const idle = client(port);
    idle.send('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await idle.until(() => idle.state.text.endsWith('/'));
    const slow = client(port);
    slow.send('GET / HTTP/1.1\r\nHost: a\r\n');
    // The sweep runs once a second: both end within about 1.3 s, neither before 300 ms.
    await idle.until(() => idle.state.ended, 2500);
    await slow.until(() => slow.state.ended, 2500);
    expect(slow.state.text).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
  });

  it('lingers after a closing answer to an unfinished upload: the client reads the answer, not a reset', async () => {
    const { port } = await serve((_req, res) => {
      res.writeHead(413, ['Content-Length', '9', 'Connection', 'close']);
      res.end('too large');
    });
    const c = client(port);
    c.send(`POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\n`);
    // Keeps sending after the answer, as a client mid-upload does.
    for (let i = 0; i < 20; i++) {
      c.send('x'.repeat(64 * 1024));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await c.until(() => c.state.text.endsWith('too large'));
    expect(c.state.reset).toBe(false);
    expect(c.state.text).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    c.socket.destroy();
  });
});
