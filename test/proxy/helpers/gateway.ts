// A Sluice proxy on 127.0.0.1:0 with a hand-built table and a real EndpointStore, plus a small node:http client
// (fetch cannot set Host, and tests need raw control over request headers).
import { request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { EndpointSlice, RouteTable } from '../../../src/model/index.ts';
import { EndpointStore, TableSlot, createProxyServer, type ProxyServer } from '../../../src/proxy/index.ts';
import type { RequestObserver } from '../../../src/proxy/metrics/request-observer.ts';
import { normalizeHost, normalizeRequestPath } from './route-table.ts';

export interface Gateway {
  readonly port: number;
  readonly slot: TableSlot;
  readonly store: EndpointStore;
  readonly proxy: ProxyServer;
  close(): Promise<void>;
}

export interface GatewayOptions {
  readonly table: RouteTable;
  readonly slices?: readonly EndpointSlice[];
  /** proxy-connect/read/send-timeout, set on the table's settings (where the proxy reads them). */
  readonly connectTimeoutMs?: number;
  readonly readTimeoutMs?: number;
  readonly sendTimeoutMs?: number;
  /** Metrics / access log (test/proxy/proxy-metrics.test.ts); absent: off. */
  readonly observer?: RequestObserver;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { table, connectTimeoutMs, readTimeoutMs, sendTimeoutMs } = options;
  const settings = {
    ...table.settings,
    ...(connectTimeoutMs === undefined ? {} : { proxyConnectTimeoutMs: connectTimeoutMs }),
    ...(readTimeoutMs === undefined ? {} : { proxyReadTimeoutMs: readTimeoutMs }),
    ...(sendTimeoutMs === undefined ? {} : { proxySendTimeoutMs: sendTimeoutMs }),
  };
  // Given timeouts: a copy with those settings, keeping the table's own lookup (test tables record their lookups).
  const timed = connectTimeoutMs !== undefined || readTimeoutMs !== undefined || sendTimeoutMs !== undefined;
  const slot = new TableSlot(timed ? Object.assign(Object.create(table) as RouteTable, { settings }) : table);
  const store = new EndpointStore();
  store.update(options.slices ?? []);
  const proxy = createProxyServer({
    tableSlot: slot,
    endpoints: store,
    normalizeHost,
    normalizeRequestPath,
    observer: options.observer ?? null,
    logger: pino({ level: process.env.SLUICE_TEST_LOG ?? 'silent' }),
  });
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  const port = (proxy.server.address() as AddressInfo).port;
  return { port, slot, store, proxy, close: () => proxy.close() };
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

export interface SendOptions {
  readonly method?: string;
  readonly host?: string;
  /** Flat [name, value, …] list, sent exactly (duplicates and casing kept). */
  readonly headers?: readonly string[];
  readonly body?: string | Buffer;
}

export function send(port: number, path: string, options: SendOptions = {}): Promise<Reply> {
  const headers = [...(options.host === undefined ? ['Host', 'app.test'] : ['Host', options.host]), ...(options.headers ?? [])];
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers, agent: false, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The JSON the echo pod answers with. */
export function echoed(reply: Reply): { pod: string; method: string; url: string; rawHeaders: string[] } {
  if (reply.status !== 200) throw new Error(`expected 200 from an echo pod, got ${reply.status}: ${reply.body}`);
  return JSON.parse(reply.body) as { pod: string; method: string; url: string; rawHeaders: string[] };
}
