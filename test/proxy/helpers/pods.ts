// Upstream "pods": real node:http servers on their own loopback address (127.0.0.2, 127.0.0.3, …), recording
// every request they see so tests can assert which pod was hit and what it received.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: readonly string[];
  /** Lower-cased name → values, for assertions. */
  readonly headers: ReadonlyMap<string, string[]>;
}

export interface Pod {
  readonly ip: string;
  readonly port: number;
  readonly server: Server;
  readonly seen: SeenRequest[];
  /** Stops listening and drops every open connection: the pod is dead (connects are refused). */
  kill(): Promise<void>;
}

export type PodHandler = (req: IncomingMessage, res: ServerResponse, pod: Pod) => void;

/** Default handler: 200 with a JSON echo of what arrived. */
export const echo: PodHandler = (req, res, pod) => {
  req.resume();
  req.on('end', () => {
    const body = JSON.stringify({ pod: pod.ip, method: req.method, url: req.url, rawHeaders: req.rawHeaders });
    res.writeHead(200, { 'content-type': 'application/json', server: 'pod-server/1.0', date: 'Thu, 01 Jan 1970 00:00:00 GMT' });
    res.end(body);
  });
};

export async function startPod(ip: string, handler: PodHandler = echo): Promise<Pod> {
  const sockets = new Set<Socket>();
  const seen: SeenRequest[] = [];
  const server = createServer();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, ip, resolve));
  const pod: Pod = {
    ip,
    port: (server.address() as AddressInfo).port,
    server,
    seen,
    async kill() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, headers: headerMap(req.rawHeaders) });
    handler(req, res, pod);
  });
  return pod;
}

export function headerMap(raw: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    map.set(name, [...(map.get(name) ?? []), raw[i + 1]!]);
  }
  return map;
}

export async function killAll(pods: readonly Pod[]): Promise<void> {
  await Promise.all(pods.map((pod) => (pod.server.listening ? pod.kill() : undefined)));
}
