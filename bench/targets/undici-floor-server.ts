// The undici floor baseline, run as a child process: `node undici-floor-server.ts <port> <pod>…`.
// The fastest Node proxy issue 8 measured before Sluice had its own upstream client, with no feature at all: a
// node:http server driving one undici Pool per pod through dispatch(), round robin, the client's raw headers passed
// up and the pod's passed down, nothing added. Sluice's forwarder was built on it until src/proxy/upstream/
// replaced undici; the row keeps the reason for that measured in every run (undici floor ÷ node floor).
import { createServer, type ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';

const [port, ...pods] = process.argv.slice(2);
const pools = pods.map((pod) => new Pool(`http://${pod}`, { pipelining: 1, connections: 320, keepAliveTimeout: 60_000 }));

class PassThrough implements Dispatcher.DispatchHandler {
  readonly #res: ServerResponse;
  constructor(res: ServerResponse) {
    this.#res = res;
  }
  onRequestStart(): void {}
  onResponseStart(controller: Dispatcher.DispatchController, status: number): void {
    const raw = controller.rawHeaders;
    const headers: string[] = [];
    if (Array.isArray(raw)) for (let i = 0; i < raw.length; i += 2) headers.push(String(raw[i]), String(raw[i + 1]));
    this.#res.writeHead(status, headers);
  }
  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#res.write(chunk);
  }
  onResponseEnd(): void {
    this.#res.end();
  }
  onResponseError(): void {
    if (!this.#res.headersSent) this.#res.statusCode = 502;
    this.#res.end();
  }
}

let next = 0;
const server = createServer((req, res) => {
  next = (next + 1) % pools.length;
  pools[next]!.dispatch({ path: req.url ?? '/', method: req.method ?? 'GET', headers: req.rawHeaders, headersTimeout: 0, bodyTimeout: 0 }, new PassThrough(res));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
