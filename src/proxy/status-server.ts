// The status listener (--status-port): liveness and readiness for kubelet probes, kept off the traffic
// listeners so a flood of client traffic or a misrouted request can never be mistaken for health.
import { createServer, type Server } from 'node:http';

export interface ReadinessProbe {
  /** True once the first complete load has been compiled and is being served. */
  isReady(): boolean;
  /** One line saying why the process is not ready (shown in the 503 body). */
  notReadyReason(): string;
  /**
   * While ready: one line about a degraded source ('' when healthy), shown in the 200 body. Readiness stays 200:
   * the last good table is still the best answer this pod has, and failing every replica's probe at once
   * (an API-server outage reaches them all) would take the whole ingress down.
   */
  degradedReason?(): string;
}

/** What GET /metrics serves (Prometheus text format): a registry, or the workers' registries aggregated. */
export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
}

/** `metrics`: null/absent: 404 at /metrics. */
export function createStatusServer(probe: ReadinessProbe, metrics: MetricsSource | null = null): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, 405, 'method not allowed\n');
    } else if (path === '/healthz') {
      // The event loop answered, so the process is alive; nothing else is checked on purpose: a liveness
      // failure restarts the pod, which must not happen for a problem a restart does not cure.
      reply(res, 200, 'ok\n');
    } else if (path === '/readyz') {
      const degraded = probe.isReady() ? (probe.degradedReason?.() ?? '') : '';
      if (probe.isReady()) reply(res, 200, degraded ? `ok (degraded: ${degraded})\n` : 'ok\n');
      else reply(res, 503, `not ready: ${probe.notReadyReason()}\n`);
    } else if (path === '/metrics' && metrics !== null) {
      metrics.text().then(
        (body) => {
          res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(body) });
          res.end(body);
        },
        () => reply(res, 500, 'metrics collection failed\n'),
      );
    } else {
      reply(res, 404, 'not found\n');
    }
  });
}

function reply(res: import('node:http').ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
