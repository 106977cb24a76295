// Per-request counters without per-request label work. prom-client's labelled children re-hash their label set on
// every inc()/observe() (counter.js/histogram.js call hashObject each time), which is string building on the hot
// path; here each (route, method, status) cell is found by a WeakMap lookup and an integer key, holds plain
// numbers, and is turned into Prometheus samples only when /metrics is scraped.
import type { Route } from '../../model/index.ts';

/** ingress-nginx's request_duration_seconds buckets (prometheus.DefBuckets). */
export const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface Cell {
  readonly labels: Readonly<Record<string, string>>;
  count: number;
  sum: number;
  /** Non-cumulative counts per bucket (the last slot is +Inf). */
  readonly buckets: Float64Array;
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

  observe(route: Route | null, method: string, status: number, seconds: number): void {
    const routeKey = route ?? this.#noRoute;
    let cells = this.#byRoute.get(routeKey);
    if (cells === undefined) this.#byRoute.set(routeKey, (cells = this.#sharedCells(route)));
    const m = methodIndex(method);
    const key = status * 16 + m;
    let cell = cells.get(key);
    if (cell === undefined) {
      const labels = { ...routeLabels(route), method: knownMethods[m] ?? 'other', status: String(status) };
      cell = { labels, count: 0, sum: 0, buckets: new Float64Array(durationBuckets.length + 1) };
      cells.set(key, cell);
      this.cells.push(cell);
    }
    cell.count++;
    cell.sum += seconds;
    let b = 0;
    while (b < durationBuckets.length && seconds > durationBuckets[b]!) b++;
    cell.buckets[b]!++;
  }
}
