// The upstream client (src/proxy/upstream/): one pool against pods that are raw TCP servers answering with exact
// bytes, so every framing case the proxy meets is reproduced as a pod would send it — bodies delimited by the
// connection's end, chunked with trailers, HEAD, 1xx before the answer, Keep-Alive hints, bytes out of turn.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyUpstreamError } from '../../src/proxy/errors.ts';
import { requestHead } from '../../src/proxy/upstream/request-head.ts';
import type { UpstreamController, UpstreamRequest } from '../../src/proxy/upstream/upstream-handler.ts';
import { UpstreamPool } from '../../src/proxy/upstream/upstream-pool.ts';
import { startBlackhole } from './helpers/blackhole.ts';

const podIp = '127.0.0.20';

interface RawPod {
  readonly port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Request heads received, in order, across connections. */
  readonly heads: string[];
  readonly sockets: Set<Socket>;
  readonly server: Server;
}

/**
 * A pod that calls `answer` with each request head it reads (a request without a body: the head ends the
 * request) and the connection it came on; `answer` writes whatever bytes the test needs.
 */
async function rawPod(answer: (head: string, socket: Socket, index: number) => void): Promise<RawPod> {
  const sockets = new Set<Socket>();
  const heads: string[] = [];
  const server = createServer((socket) => {
    pod.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = '';
    socket.on('data', (data) => {
      pending += data.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n\r\n')) !== -1) {
        const head = pending.slice(0, end + 4);
        pending = pending.slice(end + 4);
        heads.push(head);
        answer(head, socket, heads.length - 1);
      }
    });
  });
  server.listen(0, podIp);
  await once(server, 'listening');
  const pod: RawPod = { port: (server.address() as AddressInfo).port, connections: 0, heads, sockets, server };
  pods.push(pod);
  return pod;
}

const pods: RawPod[] = [];
const pools: UpstreamPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.destroy()));
  for (const pod of pods.splice(0)) {
    for (const socket of pod.sockets) socket.destroy();
    pod.server.close();
  }
});

function poolFor(pod: RawPod, connectTimeoutMs = 2000): UpstreamPool {
  const pool = new UpstreamPool({ address: podIp, port: pod.port, key: `${podIp}:${pod.port}` }, () => connectTimeoutMs);
  pools.push(pool);
  return pool;
}

interface Outcome {
  status: number;
  headers: readonly string[];
  body: string;
  /** Handler calls in order (request start/sent, response start/data/end/error). */
  calls: string[];
  error?: Error & { code?: string };
}

interface ExchangeOptions {
  /** Called with the controller on the first body chunk (e.g. to pause). */
  onFirstChunk?: (controller: UpstreamController, outcome: Outcome) => void;
  onStart?: (controller: UpstreamController) => void;
}

function exchange(pool: UpstreamPool, request: Partial<UpstreamRequest> = {}, options: ExchangeOptions = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { status: 0, headers: [], body: '', calls: [] };
    let chunks = 0;
    pool.dispatch(
      { method: 'GET', path: '/', headers: ['host', 'pod.test'], body: null, ...request },
      {
        onRequestStart: () => outcome.calls.push('request-start'),
        onBodySent: () => outcome.calls.push('body-sent'),
        onRequestSent: () => outcome.calls.push('request-sent'),
        onResponseStart: (controller, status) => {
          outcome.calls.push(`response-start ${status}`);
          outcome.status = status;
          outcome.headers = controller.rawHeaders;
          options.onStart?.(controller);
        },
        onResponseData: (controller, chunk) => {
          outcome.calls.push('data');
          outcome.body += chunk.toString('latin1');
          if (chunks++ === 0) options.onFirstChunk?.(controller, outcome);
        },
        onResponseEnd: () => {
          outcome.calls.push('end');
          resolve(outcome);
        },
        onResponseError: (_controller, error) => {
          outcome.calls.push('error');
          outcome.error = error;
          resolve(outcome);
        },
      },
    );
  });
}

const ok = (body: string, extra = ''): string => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

describe('upstream client: connections', () => {
  it('reuses one keep-alive connection for sequential exchanges, and sends Host and Connection', async () => {
    const pod = await rawPod((_head, socket, i) => socket.write(ok(`answer ${i}`)));
    const pool = poolFor(pod);
    for (let i = 0; i < 3; i++) expect((await exchange(pool)).body).toBe(`answer ${i}`);
    expect(pod.connections).toBe(1);
    expect(pod.heads[0]).toBe('GET / HTTP/1.1\r\nhost: pod.test\r\nconnection: keep-alive\r\n\r\n');
  });

  it("sends the pod's own address as Host when the request has none (an HTTP/1.0 client's)", async () => {
    const pod = await rawPod((_head, socket) => socket.write(ok('x')));
    await exchange(poolFor(pod), { headers: [] });
    expect(pod.heads[0]).toContain(`\r\nhost: ${podIp}:${pod.port}\r\n`);
  });

  it('opens a new connection after the pod said Connection: close, or closed an idle one', async () => {
    const pod = await rawPod((_head, socket, i) => {
      if (i === 0) socket.end(ok('closing', 'Connection: close\r\n'));
      else if (i === 1) socket.write(ok('kept'), () => setTimeout(() => socket.end(), 10));
      else socket.write(ok('third'));
    });
    const pool = poolFor(pod);
    expect((await exchange(pool)).body).toBe('closing');
    expect((await exchange(pool)).body).toBe('kept');
    await new Promise((resolve) => setTimeout(resolve, 100)); // the pod closes the idle connection
    const third = await exchange(pool);
    expect(third.body).toBe('third');
    expect(third.error).toBeUndefined();
    expect(pod.connections).toBe(3);
  });

  it('a pod that limits idle time to 1 s (Keep-Alive: timeout=1) gets a new connection each time', async () => {
    const pod = await rawPod((_head, socket) => socket.write(ok('x', 'Keep-Alive: timeout=1\r\n')));
    const pool = poolFor(pod);
    await exchange(pool);
    await exchange(pool);
    expect(pod.connections).toBe(2);
  });

  it('closes idle connections past their keep-alive time (the sweep), and keeps younger ones', async () => {
    const pod = await rawPod((_head, socket) => socket.write(ok('x', 'Keep-Alive: timeout=30\r\n')));
    const pool = poolFor(pod);
    await exchange(pool);
    pool.closeExpired(performance.now() + 28_000); // within 30 s − 1 s
    expect(pool.idleCount).toBe(1);
    pool.closeExpired(performance.now() + 29_500);
    expect(pool.idleCount).toBe(0);
    expect(pool.size).toBe(0);
  });

  it('refused and timed-out connects fail as errors.ts classifies them', async () => {
    const pod = await rawPod(() => {});
    const port = pod.port;
    await new Promise((resolve) => pod.server.close(resolve));
    const refused = await exchange(poolFor({ ...pod, port }));
    expect(refused.error?.code).toBe('ECONNREFUSED');
    expect(refused.calls).toEqual(['error']);
    const hole = await startBlackhole('127.0.0.21');
    const silent = new UpstreamPool({ address: hole.ip, port: hole.port, key: `${hole.ip}:${hole.port}` }, () => 100);
    pools.push(silent);
    const timedOut = await exchange(silent).finally(() => hole.close());
    expect(classifyUpstreamError(timedOut.error)).toBe('upstream-connect-timeout');
  });

  it('a kept-alive connection the pod closes or resets under the next request, before answering, fails as stale', async () => {
    // The pod reads each reused connection's request, then closes (FIN) or resets (RST) it without a byte of answer:
    // what a request crossing the pod's keep-alive timeout looks like from the proxy.
    const pod = await rawPod((head, socket) => {
      if (head.includes('/close')) socket.destroy();
      else if (head.includes('/reset')) socket.resetAndDestroy();
      else socket.write(ok('fine'));
    });
    const pool = poolFor(pod);
    for (const how of ['close', 'reset']) {
      expect((await exchange(pool, { path: '/first' })).body).toBe('fine');
      const stale = await exchange(pool, { path: `/${how}` });
      expect(stale.error?.code).toBe('SLUICE_STALE_CONNECTION');
      expect(stale.calls).toEqual(['request-start', 'request-sent', 'error']);
      expect(classifyUpstreamError(stale.error)).toBe('upstream-refused');
    }
    expect(pod.connections).toBe(2);
  });

  it('not stale: a new connection closed before answering, or a reused one closed after part of the answer', async () => {
    const pod = await rawPod((head, socket) => {
      if (head.includes('/close')) socket.destroy();
      else if (head.includes('/partial')) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
      else socket.write(ok('fine'));
    });
    const pool = poolFor(pod);
    expect((await exchange(pool, { path: '/close' })).error?.code).toBe('SLUICE_UPSTREAM_CLOSED');
    expect((await exchange(pool, { path: '/first' })).body).toBe('fine');
    const partial = await exchange(pool, { path: '/partial' });
    expect(partial.calls).toEqual(['request-start', 'request-sent', 'response-start 200', 'data', 'error']);
    expect(partial.error?.code).not.toBe('SLUICE_STALE_CONNECTION');
  });

  it('freshConnection opens a new connection although one is idle, and keeps both for reuse', async () => {
    const pod = await rawPod((_head, socket, i) => socket.write(ok(`answer ${i}`)));
    const pool = poolFor(pod);
    await exchange(pool);
    expect(pool.idleCount).toBe(1);
    expect((await exchange(pool, { freshConnection: true })).body).toBe('answer 1');
    expect(pod.connections).toBe(2);
    expect(pool.idleCount).toBe(2);
  });

  it('close() lets the exchange in progress finish, then refuses new ones', async () => {
    let release: (() => void) | undefined;
    const pod = await rawPod((_head, socket) => {
      release = () => socket.write(ok('late'));
    });
    const pool = poolFor(pod);
    const inFlight = exchange(pool);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = pool.close();
    release!();
    expect((await inFlight).body).toBe('late');
    await closed;
    expect(pool.size).toBe(0);
    expect((await exchange(pool)).error?.code).toBe('SLUICE_POOL_CLOSED');
  });
});

describe('upstream client: response framing', () => {
  it('a body delimited by the connection end is relayed whole; that connection is not reused', async () => {
    const pod = await rawPod((_head, socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end'));
    const pool = poolFor(pod);
    const outcome = await exchange(pool);
    expect(outcome.body).toBe('until the end');
    expect(outcome.calls.at(-1)).toBe('end');
    expect(pool.size).toBe(0);
  });

  it('a chunked body with trailers is relayed as its data, and the connection is reused', async () => {
    const pod = await rawPod((_head, socket) =>
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n'),
    );
    const pool = poolFor(pod);
    expect((await exchange(pool)).body).toBe('hello world');
    expect((await exchange(pool)).body).toBe('hello world');
    expect(pod.connections).toBe(1);
  });

  it('a HEAD answer has no body whatever its Content-Length says, and the next answer on the connection is read right', async () => {
    const pod = await rawPod((head, socket) => socket.write(head.startsWith('HEAD') ? 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' : ok('after head')));
    const pool = poolFor(pod);
    const head = await exchange(pool, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers).toEqual(['Content-Length', '5']);
    expect(head.body).toBe('');
    expect((await exchange(pool)).body).toBe('after head');
    expect(pod.connections).toBe(1);
  });

  it('1xx answers (103 Early Hints, 100 Continue) are skipped: only the final answer is reported', async () => {
    const pod = await rawPod((_head, socket) =>
      socket.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n' + ok('final')),
    );
    const outcome = await exchange(poolFor(pod));
    expect(outcome.calls).toEqual(['request-start', 'request-sent', 'response-start 200', 'data', 'end']);
    expect(outcome.body).toBe('final');
  });

  it('bytes after a complete answer: the answer is relayed, the connection is not trusted again', async () => {
    const pod = await rawPod((_head, socket, i) => socket.write(i === 0 ? ok('first') + 'HTTP/1.1 200 OK\r\n' : ok('second')));
    const pool = poolFor(pod);
    expect((await exchange(pool)).body).toBe('first');
    expect((await exchange(pool)).body).toBe('second');
    expect(pod.connections).toBe(2);
  });

  it.each([
    ['not HTTP at all', 'SSH-2.0-OpenSSH_9.2\r\n', 'upstream-bad-response'],
    ['an upgrade nobody asked for', 'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n', 'upstream-bad-response'],
    ['headers larger than 16 KiB', `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`, 'upstream-bad-response'],
  ])('%s → %s', async (_name, bytes, kind) => {
    const pod = await rawPod((_head, socket) => socket.write(bytes));
    const outcome = await exchange(poolFor(pod));
    expect(classifyUpstreamError(outcome.error)).toBe(kind);
    expect(outcome.calls).not.toContain('response-start 200');
  });

  it('a pod that closes before answering fails as refused; a body cut short fails after the answer started', async () => {
    const pod = await rawPod((_head, socket, i) => (i === 0 ? socket.destroy() : socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort')));
    const pool = poolFor(pod);
    const closed = await exchange(pool);
    expect(classifyUpstreamError(closed.error)).toBe('upstream-refused');
    const cut = await exchange(pool);
    expect(cut.calls).toEqual(['request-start', 'request-sent', 'response-start 200', 'data', 'error']);
    expect(classifyUpstreamError(cut.error)).toBe('upstream-bad-response');
  });
});

describe('upstream client: flow control and aborts', () => {
  it('pause() holds the rest of the answer, even after the pod closed; resume() delivers it in order, then the end', async () => {
    const parts = Array.from({ length: 20 }, (_, i) => `part-${String(i).padStart(2, '0')};`);
    const pod = await rawPod((_head, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n');
      for (const part of parts) socket.write(`${part.length.toString(16)}\r\n${part}\r\n`);
      socket.end('0\r\n\r\n');
    });
    let callsWhilePaused: string[] | undefined;
    const outcome = await exchange(poolFor(pod), {}, {
      onFirstChunk: (controller, live) => {
        controller.pause();
        const before = live.calls.length;
        setTimeout(() => {
          callsWhilePaused = live.calls.slice(before);
          controller.resume();
        }, 100);
      },
    });
    expect(callsWhilePaused).toEqual([]);
    expect(outcome.error).toBeUndefined();
    expect(outcome.body).toBe(parts.join(''));
  });

  it('a connection whose answer completed while paused serves the next exchange (it goes back reading)', async () => {
    // One write: the first chunk pauses, the rest of the answer is parsed (queued) in the same read.
    const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n';
    const pod = await rawPod((_head, socket, i) => socket.write(i === 0 ? chunked : ok('next')));
    const pool = poolFor(pod);
    const first = await exchange(pool, {}, {
      onFirstChunk: (controller) => {
        controller.pause();
        setTimeout(() => controller.resume(), 50);
      },
    });
    expect(first.body).toBe('abcdef');
    const second = await Promise.race([exchange(pool), new Promise<null>((resolve) => setTimeout(() => resolve(null), 2000))]);
    expect(second?.body).toBe('next');
    expect(pod.connections).toBe(1);
  });

  it('abort() ends the exchange once, with its reason, and closes the connection', async () => {
    const pod = await rawPod((_head, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome'));
    const pool = poolFor(pod);
    const reason = Object.assign(new Error('client left'), { code: 'TEST_ABORT' });
    const outcome = await exchange(pool, {}, { onFirstChunk: (controller) => controller.abort(reason) });
    expect(outcome.error).toBe(reason);
    expect(outcome.calls.filter((call) => call === 'error')).toHaveLength(1);
    expect(pool.size).toBe(0);
  });
});

describe('upstream client: request bodies', () => {
  /** A pod that reads the whole request (head and body) until `complete(text)` says it is all there. */
  async function bodyPod(complete: (text: string) => boolean): Promise<{ pod: RawPod; received: Promise<string> }> {
    let resolveReceived!: (text: string) => void;
    const received = new Promise<string>((resolve) => (resolveReceived = resolve));
    const server = createServer((socket) => {
      let text = '';
      socket.on('data', (data) => {
        text += data.toString('latin1');
        if (complete(text)) {
          resolveReceived(text);
          socket.write(ok('stored'));
        }
      });
    });
    server.listen(0, podIp);
    await once(server, 'listening');
    const pod: RawPod = { port: (server.address() as AddressInfo).port, connections: 0, heads: [], sockets: new Set(), server };
    pods.push(pod);
    return { pod, received };
  }

  it('without Content-Length the body goes chunked, each chunk reported as sent', async () => {
    const { pod, received } = await bodyPod((text) => text.endsWith('0\r\n\r\n'));
    const body = new PassThrough();
    const done = exchange(poolFor(pod), { method: 'POST', headers: ['host', 'pod.test'], body });
    body.write('abc');
    setTimeout(() => body.end('defgh'), 20);
    expect(await received).toBe('POST / HTTP/1.1\r\nhost: pod.test\r\ntransfer-encoding: chunked\r\nconnection: keep-alive\r\n\r\n3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n');
    const outcome = await done;
    expect(outcome.calls.slice(0, 4)).toEqual(['request-start', 'body-sent', 'body-sent', 'request-sent']);
    expect(outcome.body).toBe('stored');
  });

  it("with the client's Content-Length the body goes as it is; a POST without a body declares 0", async () => {
    const { pod, received } = await bodyPod((text) => text.endsWith('12345'));
    const body = new PassThrough();
    const done = exchange(poolFor(pod), { method: 'PUT', headers: ['host', 'pod.test', 'content-length', '5'], body });
    body.end('12345');
    expect(await received).toBe('PUT / HTTP/1.1\r\nhost: pod.test\r\ncontent-length: 5\r\nconnection: keep-alive\r\n\r\n12345');
    await done;
    const empty = await rawPod((_head, socket) => socket.write(ok('x')));
    await exchange(poolFor(empty), { method: 'POST' });
    expect(empty.heads[0]).toBe('POST / HTTP/1.1\r\nhost: pod.test\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n');
  });

  it('an answer before the whole body (413) is relayed; the rest of the body is dropped and the connection closed', async () => {
    const pod = await rawPod((_head, socket) => socket.write('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n'));
    const pool = poolFor(pod);
    const body = new PassThrough();
    body.write('first part');
    const outcome = await exchange(pool, { method: 'POST', body });
    expect(outcome.status).toBe(413);
    expect(outcome.calls.at(-1)).toBe('end');
    expect(body.destroyed).toBe(true);
    expect(pool.size).toBe(0);
  });

  it('a body that fails (the client left) fails the exchange, also before the connection is up', async () => {
    const pod = await rawPod(() => {});
    const body = new PassThrough();
    const done = exchange(poolFor(pod), { method: 'POST', body });
    body.destroy(Object.assign(new Error('client closed the request body'), { code: 'ECONNRESET' }));
    const outcome = await done;
    expect(outcome.error?.code).toBe('ECONNRESET');
  });
});

describe('upstream client: what may be sent', () => {
  it.each([
    ['a CR LF in a header value', 'GET', '/', ['x-a', 'b\r\nx-injected: 1']],
    ['a header name that is not a token', 'GET', '/', ['x a', 'b']],
    ['a target with a space', 'GET', '/a b', []],
    ['a target that is not origin-form', 'GET', 'http://elsewhere/', []],
  ])('refuses %s (SLUICE_INVALID_REQUEST → 400), before any connection', async (_name, method, path, headers) => {
    expect(() => requestHead(method, path, headers, false, 'pod')).toThrow(expect.objectContaining({ code: 'SLUICE_INVALID_REQUEST' }));
    const pod = await rawPod(() => {});
    const outcome = await exchange(poolFor(pod), { method, path, headers });
    expect(classifyUpstreamError(outcome.error)).toBe('bad-request');
    expect(pod.connections).toBe(0);
  });
});
