// The upstream side every listener shares: keep-alive pools and balancer state. One instance per process, not
// per listener: with one each, the HTTP and HTTPS listeners held two connection sets to every pod and kept two
// round-robin positions, so a client alternating between them could hit the same pod every time.
import type { Logger } from 'pino';
import { Balancers } from '../balancer/balancers.ts';
import type { EndpointStore } from '../endpoints/endpoint-store.ts';
import { ReadDeadlines } from '../forward/read-deadlines.ts';
import { UpstreamPools } from './upstream-pools.ts';

export interface UpstreamsOptions {
  readonly endpoints: EndpointStore;
  /** proxy-connect-timeout of the table serving now (read when a connection is opened; see upstream-pools.ts). */
  readonly connectTimeoutMs: () => number;
  readonly logger: Logger;
  /** Random source for the balancers' starting positions (tests pin it). */
  readonly random?: () => number;
}

export class Upstreams {
  readonly pools: UpstreamPools;
  readonly balancers: Balancers;
  /** proxy-read-timeout of every exchange in flight (one sweep per thread, not a timer per request). */
  readonly readDeadlines = new ReadDeadlines();
  readonly #unsubscribe: () => void;

  constructor(options: UpstreamsOptions) {
    const { endpoints, connectTimeoutMs, logger } = options;
    this.pools = new UpstreamPools({ connectTimeoutMs, logger });
    this.balancers = new Balancers(options.random);
    // Pools follow the endpoint set: those of endpoints no backend routes to any more are closed gracefully.
    this.#unsubscribe = endpoints.onChange(() => this.pools.retain(endpoints.liveEndpointKeys()));
  }

  /** After every listener has drained: aborts what is left upstream and closes the pools. */
  async close(): Promise<void> {
    this.#unsubscribe();
    await this.pools.closeAll(true);
    this.readDeadlines.close();
  }
}
