// What the two floor baselines share (node-floor-server.ts, undici-floor-server.ts): a node:http server that hands
// each request, round robin, to one pool per pod, and a handler base that relays the pod's answer as it comes —
// status and headers, then the body — or a 502 when the pool fails. Only the upstream client differs.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export class Relay {
  protected readonly res: ServerResponse;
  constructor(res: ServerResponse) {
    this.res = res;
  }
  onRequestStart(): void {}
  onResponseData(_controller: unknown, chunk: Buffer): void {
    this.res.write(chunk);
  }
  onResponseEnd(): void {
    this.res.end();
  }
  onResponseError(): void {
    if (!this.res.headersSent) this.res.statusCode = 502;
    this.res.end();
  }
}

/** Serves on the port given as the first argument; `pods` (`ip:port`, the rest of the arguments) are mapped to pools. */
export function serveFloor<P>(makePool: (address: string, port: number, key: string) => P, dispatch: (pool: P, req: IncomingMessage, res: ServerResponse) => void): void {
  const [port, ...pods] = process.argv.slice(2);
  const pools = pods.map((pod) => {
    const [address, podPort] = pod.split(':') as [string, string];
    return makePool(address, Number(podPort), pod);
  });
  let next = 0;
  const server = createServer((req, res) => {
    next = (next + 1) % pools.length;
    dispatch(pools[next]!, req, res);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
}
