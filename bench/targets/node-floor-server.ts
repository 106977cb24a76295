// The Node floor baseline, run as a child process: `node node-floor-server.ts <port> <pod>…`.
// Sluice's design with Sluice taken out: a node:http server driving Sluice's own upstream pools
// (src/proxy/upstream/upstream-pool.ts: keep-alive HTTP/1.1 on node's llhttp) with a minimal handler, round robin,
// the client's raw headers passed up and the pod's passed down, no header added, no routing, no metrics, no
// timeouts. The row says what Sluice's features cost (Sluice ÷ floor) and how far a Node proxy of this design
// goes on the machine (floor ÷ Caddy bounds Sluice ÷ Caddy).
import type { UpstreamController, UpstreamHandler } from '../../src/proxy/upstream/upstream-handler.ts';
import { UpstreamPool } from '../../src/proxy/upstream/upstream-pool.ts';
import { Relay, serveFloor } from './floor-server.ts';

class PassThrough extends Relay implements UpstreamHandler {
  onBodySent(): void {}
  onRequestSent(): void {}
  onResponseStart(controller: UpstreamController, status: number): void {
    this.res.writeHead(status, controller.rawHeaders as string[]);
  }
}

serveFloor(
  (address, port, key) => new UpstreamPool({ address, port, key }, () => 5000),
  (pool, req, res) => pool.dispatch({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.rawHeaders, body: null }, new PassThrough(res)),
);
