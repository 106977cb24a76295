// The llhttp floor baseline, run as a child process: `node llhttp-floor-server.ts <port> <pod>…`.
// The node floor (node-floor-server.ts) without node:http's server: each client connection is a plain net socket
// whose requests node's own llhttp parses (the parser node:http's server uses, as src/proxy/upstream/http-parser.ts
// exports it), handed round robin to Sluice's upstream pools; the pod's status line and raw headers are written back
// ahead of its body in one corked write. So the row against the node floor's is what node:http's server costs per
// request: IncomingMessage and ServerResponse (streams, their events and nextTicks), response header processing,
// per-request socket timers.
//
// A measuring instrument, not a server: GET requests without bodies, no pipelining, no timeouts, no Date or Connection
// header of its own, pod answers with Content-Length only (the bench's nginx pods send it). Anything else ends the
// client connection.
import { STATUS_CODES } from 'node:http';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { HTTPParser, parseBody } from '../../src/proxy/upstream/http-parser.ts';
import type { UpstreamController, UpstreamHandler } from '../../src/proxy/upstream/upstream-handler.ts';
import { UpstreamPool } from '../../src/proxy/upstream/upstream-pool.ts';

/** llhttp's method numbers → names (node's `_http_common` exports the list its parser uses). */
const methods = (createRequire(import.meta.url)('_http_common') as { methods: readonly string[] }).methods;

class SocketRelay implements UpstreamHandler {
  readonly #socket: Socket;
  #head = '';
  constructor(socket: Socket) {
    this.#socket = socket;
  }
  onRequestStart(): void {}
  onBodySent(): void {}
  onRequestSent(): void {}
  onResponseStart(controller: UpstreamController, status: number): void {
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
    const raw = controller.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
    this.#head = `${head}\r\n`;
    // Status line, headers and the first body chunk leave in one write(2).
    this.#socket.cork();
  }
  onResponseData(_controller: UpstreamController, chunk: Buffer): void {
    this.#flushHead();
    this.#socket.write(chunk);
    this.#uncork();
  }
  onResponseEnd(): void {
    this.#flushHead();
    this.#uncork();
  }
  onResponseError(): void {
    this.#socket.destroy();
  }
  #flushHead(): void {
    if (this.#head === '') return;
    this.#socket.write(this.#head, 'latin1');
    this.#head = '';
  }
  /** After the head and the first chunk: later chunks of a long body go as they come. */
  #uncork(): void {
    if (this.#socket.writableCorked > 0) this.#socket.uncork();
  }
}

const [port, ...pods] = process.argv.slice(2);
const pools = pods.map((pod) => {
  const [address, podPort] = pod.split(':') as [string, string];
  return new UpstreamPool({ address, port: Number(podPort), key: pod }, () => 5000);
});
let next = 0;

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {}, 0, HTTPParser.kLenientNone);
  let pending: string[] = [];
  parser[HTTPParser.kOnHeaders] = (fields: string[]) => {
    for (const field of fields) pending.push(field);
  };
  parser[HTTPParser.kOnHeadersComplete] = (_major: number, _minor: number, fields: string[] | undefined, method: number, url: string): number => {
    const headers = fields ?? pending;
    pending = [];
    next = (next + 1) % pools.length;
    pools[next]!.dispatch({ method: methods[method] ?? 'GET', path: url, headers, body: null }, new SocketRelay(socket));
    return parseBody;
  };
  parser[HTTPParser.kOnBody] = () => socket.destroy();
  parser[HTTPParser.kOnMessageComplete] = () => {};
  socket.on('data', (data: Buffer) => {
    if (parser.execute(data) instanceof Error) socket.destroy();
  });
  socket.on('close', () => parser.close());
}

createServer(serve).listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
