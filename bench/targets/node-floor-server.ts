// The Node floor baseline, run as a child process: `node node-floor-server.ts <port> <pod>…`.
// Sluice's design with Sluice taken out: a node:http server driving Sluice's own upstream pools
// (src/proxy/upstream/upstream-pool.ts: keep-alive HTTP/1.1 on node's llhttp) with a minimal handler, round robin,
// the client's raw headers passed up and the pod's passed down, no header added, no routing, no metrics, no
// timeouts. The row says what Sluice's features cost (Sluice ÷ floor) and how far a Node proxy of this design
// goes on the machine (floor ÷ Caddy bounds Sluice ÷ Caddy).
import { createServer, type ServerResponse } from 'node:http';
import type { UpstreamController, UpstreamHandler } from '../../src/proxy/upstream/upstream-handler.ts';
import { UpstreamPool } from '../../src/proxy/upstream/upstream-pool.ts';

const [port, ...pods] = process.argv.slice(2);
const pools = pods.map((pod) => {
  const [address, podPort] = pod.split(':') as [string, string];
  return new UpstreamPool({ address, port: Number(podPort), key: pod }, () => 5000);
});

class PassThrough implements UpstreamHandler {
  readonly #res: ServerResponse;
  constructor(res: ServerResponse) {
    this.#res = res;
  }
  onRequestStart(): void {}
  onBodySent(): void {}
  onRequestSent(): void {}
  onResponseStart(controller: UpstreamController, status: number): void {
    this.#res.writeHead(status, controller.rawHeaders as string[]);
  }
  onResponseData(_controller: UpstreamController, chunk: Buffer): void {
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
  pools[next]!.dispatch({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.rawHeaders, body: null }, new PassThrough(res));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
