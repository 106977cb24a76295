// A stand-in for an application pod: answers every request with a small JSON description of what it received,
// so a person (the demo) or a test can see which "pod" served a request and what the gateway forwarded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoPod {
  readonly server: Server;
  readonly address: string;
  readonly port: number;
  /** Requests answered so far, by path. */
  readonly hits: number;
  close(): Promise<void>;
}

export interface EchoReply {
  service: string;
  pod: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
}

function answer(service: string, pod: string, req: IncomingMessage, res: ServerResponse): void {
  let bodyBytes = 0;
  req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
  req.on('end', () => {
    const reply: EchoReply = { service, pod, method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes };
    const body = JSON.stringify(reply, null, 2) + '\n';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-pod': pod });
    res.end(body);
  });
  req.on('error', () => res.destroy());
}

export async function startEchoPod(service: string, address: string, port = 0): Promise<EchoPod> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    answer(service, address, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    server,
    address,
    port: bound,
    get hits() {
      return hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
