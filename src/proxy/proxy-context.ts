// Everything a request handler needs, built once per server. Passed explicitly instead of living in module
// globals so that several proxies (tests, HTTP + HTTPS listeners) can run in one process.
import type { Logger } from 'pino';
import type { Balancers } from './balancer/balancers.ts';
import type { TrustedProxies } from './client-address.ts';
import type { RequestObserver } from './metrics/request-observer.ts';
import type { EndpointStore } from './endpoints/endpoint-store.ts';
import type { ReadDeadlines } from './forward/read-deadlines.ts';
import type { TableSlot } from './table-slot.ts';
import type { UpstreamPools } from './upstream/upstream-pools.ts';

export interface ProxyContext {
  readonly tableSlot: TableSlot;
  readonly endpoints: EndpointStore;
  readonly pools: UpstreamPools;
  readonly balancers: Balancers;
  /** proxy-read-timeout: the deadlines of exchanges waiting on a pod (shared by the listeners of a thread). */
  readonly readDeadlines: ReadDeadlines;
  /** Lower case, no port, no trailing dot (router's normalizeHost). */
  readonly normalizeHost: (host: string) => string;
  /** Decoded, dot-segments resolved, slashes merged; null when the path escapes the root (→ 400). */
  readonly normalizeRequestPath: (rawPath: string) => string | null;
  readonly scheme: 'http' | 'https';
  /** HTTPS listener: whether a host has a certificate of its own (only those get HSTS); null on plain HTTP. */
  readonly hasOwnCertificate: ((host: string) => boolean) | null;
  readonly logger: Logger;
  /** --trusted-proxies; null (the default): the client is always the TCP peer. */
  readonly trustedProxies: TrustedProxies | null;
  /** Metrics and access log, told when each request ends; null: neither is on (one null check per request). */
  readonly observer: RequestObserver | null;
}

/** Retries per request, first attempt included: ingress-nginx's proxy-next-upstream-tries default. */
export const maxAttempts = 3;
