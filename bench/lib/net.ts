// Addresses, ports and host names every part of the suite agrees on. Everything listens on loopback only, on
// ports of the 28xxx range (the tests and the demo use others), checked free before anything starts.
import { createServer } from 'node:net';

/** Upstream "pods": nginx on each address (HTTP), a Node `ws` echo server on the first two (WebSocket). */
export const podAddresses = ['127.0.0.2', '127.0.0.3', '127.0.0.4'] as const;
export const podPort = 28090;
export const wsPodPort = 28091;

/** Baseline proxies. */
export const nginxProxyPort = 28082;
export const caddyPort = 28083;
export const httpProxyPort = 28085;
export const nodeFloorPort = 28086;
export const undiciFloorPort = 28087;
export const llhttpFloorPort = 28088;

/** Sluice instance k listens on http 28100+10k, https +1, status +2 (several may run side by side). */
export function sluicePorts(instance: number): { http: number; https: number; status: number } {
  const base = 28100 + 10 * instance;
  return { http: base, https: base + 1, status: base + 2 };
}

/** Host names of the routes (the same on every proxy). */
export const hosts = {
  plain: 'bench.test',
  regex: 'regex.bench.test',
  limited: 'limited.bench.test',
  ws: 'ws.bench.test',
} as const;

/** Upstream paths the pods answer: a 13-byte body anywhere, a 1 MiB file, and an upload sink. */
export const paths = { small: '/', download: '/1mb', upload: '/upload' } as const;
export const bodyBytes = 1024 * 1024;

function isFree(port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: address, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Throws when a port of the suite is taken: most likely another benchmark run, whose load would make both
 * meaningless on a small machine (and whose pods, with SO_REUSEPORT, could even answer this one's requests).
 */
export async function assertPortsFree(): Promise<void> {
  const wanted: Array<[number, string]> = [
    ...podAddresses.map((a): [number, string] => [podPort, a]),
    ...podAddresses.map((a): [number, string] => [wsPodPort, a]),
    ...[nginxProxyPort, caddyPort, httpProxyPort, nodeFloorPort, undiciFloorPort, llhttpFloorPort].map((p): [number, string] => [p, '127.0.0.1']),
    ...[0, 1].flatMap((i) => Object.values(sluicePorts(i)).map((p): [number, string] => [p, '127.0.0.1'])),
  ];
  for (const [port, address] of wanted) {
    if (!(await isFree(port, address))) throw new Error(`${address}:${port} is in use: is another benchmark running? The suite needs its ports to itself.`);
  }
}
