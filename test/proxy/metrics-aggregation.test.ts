// Serving threads each keep their own ProxyMetrics; the primary serves prom-client's
// AggregatorRegistry.aggregate() of their getMetricsAsJSON(). The computed cell metrics must come out summed
// exactly, connection gauges summed, and endpoints per backend (the same in every thread) not multiplied.
import { AggregatorRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Route } from '../../src/model/index.ts';
import { ControlMetrics } from '../../src/proxy/metrics/control-metrics.ts';
import { ProxyMetrics } from '../../src/proxy/metrics/proxy-metrics.ts';
import type { RequestMeasures } from '../../src/proxy/metrics/request-cells.ts';
import { buckets, sample } from '../support/metrics-text.ts';
import { backend } from './helpers/objects.ts';

const route: Route = {
  id: 'r0',
  host: 'app.test',
  path: '/api',
  pathType: 'Prefix',
  action: { kind: 'forward', backend: backend('web') },
  ingress: { kind: 'Ingress', namespace: 'shop', name: 'front' },
};

function measures(requestSeconds: number, upstreamSeconds: number, requestBytes: number, responseBytes: number): RequestMeasures {
  return { route, requestSeconds, upstreamSeconds, upstreamHeaderSeconds: upstreamSeconds / 2, upstreamConnectSeconds: 0.001, requestBytes, responseBytes };
}

function thread(endpoints: number): ProxyMetrics {
  return new ProxyMetrics({
    rateLimitFallbacks: () => 1,
    endpoints: () => [{ namespace: 'shop', service: 'web', backend: 'shop/web:http', count: endpoints }],
  });
}

describe('aggregating serving threads (AggregatorRegistry.aggregate)', () => {
  it('sums request cells, histograms and connection gauges exactly; endpoints take the max', async () => {
    const a = thread(3);
    const b = thread(3);
    a.requests.observe(measures(0.003, 0.002, 150, 40), 'GET', 200);
    a.requests.observe(measures(0.3, 0.2, 15, 400), 'GET', 200);
    b.requests.observe(measures(2, 1.5, 60, 4000), 'GET', 200);
    b.requests.observe(measures(0.01, -1, 90, 100), 'POST', 503);
    a.connections.accepted = 5;
    a.connections.active = 2;
    a.connections.http1 = 2;
    a.connections.requests = 1;
    a.connections.http1Requests = 1;
    b.connections.accepted = 7;
    b.connections.active = 4;
    b.connections.http1 = 3;
    b.connections.tunnels = 1;
    a.upstreamError('upstream-refused');
    b.upstreamError('upstream-refused');

    const aggregated = AggregatorRegistry.aggregate([await a.registry.getMetricsAsJSON(), await b.registry.getMetricsAsJSON()]);
    const text = await aggregated.metrics();
    const ok = { namespace: 'shop', ingress: 'front', service: 'web', host: 'app.test', path: '/api', method: 'GET', status: '200' };
    expect(sample(text, 'nginx_ingress_controller_requests', ok)).toBe(3);
    expect(sample(text, 'nginx_ingress_controller_requests', { method: 'POST', status: '503' })).toBe(1);
    expect(sample(text, 'nginx_ingress_controller_nginx_process_requests_total')).toBe(4);
    expect(buckets(text, 'nginx_ingress_controller_request_duration_seconds', ok)).toEqual({
      '0.005': 1, '0.01': 1, '0.025': 1, '0.05': 1, '0.1': 1, '0.25': 1, '0.5': 2, '1': 2, '2.5': 3, '5': 3, '10': 3, '+Inf': 3,
    });
    expect(sample(text, 'nginx_ingress_controller_request_duration_seconds_sum', ok)).toBeCloseTo(2.303, 9);
    expect(sample(text, 'nginx_ingress_controller_response_duration_seconds_count', ok)).toBe(3);
    expect(sample(text, 'nginx_ingress_controller_request_size_sum', ok)).toBe(225);
    expect(sample(text, 'nginx_ingress_controller_response_size_sum', ok)).toBe(4440);
    expect(buckets(text, 'nginx_ingress_controller_request_size', ok)).toMatchObject({ '10': 0, '20': 1, '60': 2, '100': 2, '+Inf': 3 });
    // No upstream answered the 503: no upstream histogram series for it in either thread.
    expect(sample(text, 'nginx_ingress_controller_response_duration_seconds_count', { status: '503' })).toBeUndefined();
    const connections = (state: string): number | undefined => sample(text, 'nginx_ingress_controller_nginx_process_connections', { state });
    expect([connections('active'), connections('writing'), connections('waiting')]).toEqual([6, 1, 4]);
    expect(sample(text, 'nginx_ingress_controller_nginx_process_connections_total', { state: 'accepted' })).toBe(12);
    expect(sample(text, 'sluice_upgrade_tunnels')).toBe(1);
    expect(sample(text, 'sluice_upstream_errors_total', { kind: 'upstream-refused' })).toBe(2);
    expect(sample(text, 'sluice_rate_limit_store_fallbacks_total')).toBe(2);
    expect(sample(text, 'sluice_backend_endpoints', { service: 'web' })).toBe(3);
  });

  it('process metrics are in the control registry only, never summed across threads', async () => {
    const data = await new ProxyMetrics().registry.metrics();
    expect(data).not.toContain('process_cpu_seconds_total');
    expect(data).not.toContain('nodejs_');
    expect(await new ControlMetrics().registry.metrics()).toMatch(/^process_cpu_seconds_total /m);
  });
});
