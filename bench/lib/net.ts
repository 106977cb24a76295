// Addresses, ports and host names every part of the suite agrees on. Everything listens on loopback only.

/** Upstream "pods": nginx on each address (HTTP), a Node `ws` echo server on the first two (WebSocket). */
export const podAddresses = ['127.0.0.2', '127.0.0.3', '127.0.0.4'] as const;
export const podPort = 18090;
export const wsPodPort = 18091;

/** Baseline proxies. */
export const nginxProxyPort = 18082;
export const caddyPort = 18083;
export const httpProxyPort = 18085;

/** Sluice instance k listens on http 18100+10k, https +1, status +2 (several may run side by side). */
export function sluicePorts(instance: number): { http: number; https: number; status: number } {
  const base = 18100 + 10 * instance;
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
