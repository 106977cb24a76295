// Per-request counters without per-request label work. prom-client's labelled children re-hash their label set on
// every inc()/observe() (counter.js/histogram.js call hashObject each time), which is string building on the hot
// path; here each (route, method, status) cell is found by a WeakMap lookup and an integer key, holds one
// Float64Array with every histogram's buckets, and is turned into Prometheus samples only when /metrics is scraped
// (cell-samples.ts).
import type { Route } from '../../model/index.ts';

/** ingress-nginx's --time-buckets default (prometheus.DefBuckets). */
export const timeBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
/**
 * ingress-nginx's --length-buckets default, which its request_size and response_size histograms use
 * (internal/ingress/metric/collectors/socket.go). Most requests land in +Inf; kept so that queries written for
 * ingress-nginx read the same here. The byte totals are in `_sum`.
 */
export const lengthBuckets = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] as const;

export interface HistogramSpec {
  readonly name: string;
  readonly help: string;
  readonly buckets: readonly number[];
}

/** The histograms every cell keeps, in ingress-nginx's names (docs/user-guide/monitoring.md), in `data` order. */
export const requestHistograms = [
  {
    name: 'nginx_ingress_controller_request_duration_seconds',
    help: 'The request processing time in seconds, from the request header read to the last byte sent (a WebSocket: until it closes)',
    buckets: timeBuckets,
  },
  {
    name: 'nginx_ingress_controller_response_duration_seconds',
    help: 'The time spent on receiving the response from the upstream server, from dispatch to its last byte (nginx $upstream_response_time; the last attempt when retried)',
    buckets: timeBuckets,
  },
  {
    name: 'nginx_ingress_controller_header_duration_seconds',
    help: 'The time spent on receiving the response header from the upstream server, from dispatch (nginx $upstream_header_time)',
    buckets: timeBuckets,
  },
  {
    name: 'nginx_ingress_controller_connect_duration_seconds',
    help: 'The time from dispatch until the request is written on a connected upstream socket: the TCP connect for a new connection, about 0 for a reused keep-alive one (nginx $upstream_connect_time)',
    buckets: timeBuckets,
  },
  {
    name: 'nginx_ingress_controller_request_size',
    help: 'The request length in bytes: request line, header and body (nginx $request_length; a WebSocket adds every byte the client sent through it)',
    buckets: lengthBuckets,
  },
  {
    name: 'nginx_ingress_controller_response_size',
    help: 'The response length in bytes: status line, header and body (nginx $bytes_sent; HTTP/2: body bytes only; a WebSocket: every byte sent to the client)',
    buckets: lengthBuckets,
  },
] as const satisfies readonly HistogramSpec[];

/** Where each histogram starts in a cell's data: its buckets (non-cumulative, +Inf last), then sum, then count. */
export const histogramOffsets: readonly number[] = requestHistograms.map((_, i) =>
  requestHistograms.slice(0, i).reduce((start, h) => start + h.buckets.length + 3, 0),
);
const cellLength = histogramOffsets.at(-1)! + requestHistograms.at(-1)!.buckets.length + 3;
/** The requests counter is the request-duration histogram's count: every request observes it. */
const requestCountIndex = requestHistograms[0].buckets.length + 2;

/** What one finished request measured; a negative value means "not measured" (no upstream answered). */
export interface RequestMeasures {
  readonly route: Route | null;
  readonly requestSeconds: number;
  readonly upstreamSeconds: number;
  readonly upstreamHeaderSeconds: number;
  readonly upstreamConnectSeconds: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
}

export interface Cell {
  readonly labels: Readonly<Record<string, string>>;
  /** Every histogram of requestHistograms at its offset. */
  readonly data: Float64Array;
}

/** The number of requests a cell has counted. */
export function requestCount(cell: Cell): number {
  return cell.data[requestCountIndex]!;
}

/** The labels of ingress-nginx's nginx_ingress_controller_requests, path being the rule path (bounded). */
export function routeLabels(route: Route | null): Record<string, string> {
  const action = route?.action;
  return {
    namespace: route?.ingress?.namespace ?? '',
    ingress: route?.ingress?.name ?? '',
    service: action?.kind === 'forward' ? action.backend.service : '',
    host: route?.host ?? '',
    path: route === null ? '' : route.path || '/',
  };
}

const knownMethods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'] as const;

/** Methods outside the standard set are counted as 'other', so a client cannot mint label values. */
function methodIndex(method: string): number {
  const i = (knownMethods as readonly string[]).indexOf(method);
  return i === -1 ? knownMethods.length : i;
}

export class RequestCells {
  readonly #byRoute = new WeakMap<object, Map<number, Cell>>();
  /** Every cell ever created, for the scrape. Bounded: routes × methods × statuses seen. */
  readonly cells: Cell[] = [];
  readonly #noRoute = {};
  /** Each table swap brings new Route objects: the same labels must keep counting in the same cells. */
  readonly #byLabels = new Map<string, Map<number, Cell>>();

  #sharedCells(route: Route | null): Map<number, Cell> {
    const key = JSON.stringify(routeLabels(route));
    let cells = this.#byLabels.get(key);
    if (cells === undefined) this.#byLabels.set(key, (cells = new Map()));
    return cells;
  }

  observe(m: RequestMeasures, method: string, status: number): void {
    const route = m.route;
    const routeKey = route ?? this.#noRoute;
    let cells = this.#byRoute.get(routeKey);
    if (cells === undefined) this.#byRoute.set(routeKey, (cells = this.#sharedCells(route)));
    const methodKey = methodIndex(method);
    const key = status * 16 + methodKey;
    let cell = cells.get(key);
    if (cell === undefined) {
      const labels = { ...routeLabels(route), method: knownMethods[methodKey] ?? 'other', status: String(status) };
      cell = { labels, data: new Float64Array(cellLength) };
      cells.set(key, cell);
      this.cells.push(cell);
    }
    const data = cell.data;
    // Unrolled over requestHistograms' order: no array of values built per request.
    place(data, offsets[0]!, timeBounds, m.requestSeconds);
    place(data, offsets[1]!, timeBounds, m.upstreamSeconds);
    place(data, offsets[2]!, timeBounds, m.upstreamHeaderSeconds);
    place(data, offsets[3]!, timeBounds, m.upstreamConnectSeconds);
    place(data, offsets[4]!, lengthBounds, m.requestBytes);
    place(data, offsets[5]!, lengthBounds, m.responseBytes);
  }
}

// Monomorphic inputs for place(): the bounds as Float64Arrays, the offsets as one Int32Array (measured: 107 → 57
// ns per request for the six histograms, against indexing the spec objects).
const timeBounds = Float64Array.from(timeBuckets);
const lengthBounds = Float64Array.from(lengthBuckets);
const offsets = Int32Array.from(histogramOffsets);

/** One observation into the histogram at `offset` of a cell (skipped when not measured). */
function place(data: Float64Array, offset: number, bounds: Float64Array, value: number): void {
  if (value < 0) return;
  const n = bounds.length;
  let b = 0;
  // Prometheus buckets are upper-inclusive (le): a value equal to a bound belongs to that bound's bucket.
  while (b < n && value > bounds[b]!) b++;
  data[offset + b]!++;
  data[offset + n + 1]! += value;
  data[offset + n + 2]!++;
}
