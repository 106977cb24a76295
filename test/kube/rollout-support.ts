// Pods and traffic for rolling-update tests: application "pods" sharing one container port on their own
// loopback IPs (127.0.0.20+), a single EndpointSlice for the Deployment written to the fake API server the way
// the EndpointSlice controller writes it, and a load generator that records every failed request.
import { once } from 'node:events';
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeApiServer } from '../fake-apiserver/server.ts';
import type { GatewayProcess } from '../support/gateway-process.ts';

export interface AppPod {
  readonly ip: string;
  readonly server: Server;
  hits: number;
  /** Stops accepting, closes idle keep-alive connections, lets in-flight requests finish. */
  shutdown(): Promise<void>;
}

export async function startAppPod(ip: string, port: number): Promise<AppPod> {
  const server = createServer((req, res) => {
    pod.hits++;
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ pod: ip })));
  });
  server.listen(port, ip);
  await once(server, 'listening');
  const pod: AppPod = {
    ip,
    server,
    hits: 0,
    async shutdown() {
      const closed = once(server, 'close');
      server.close();
      // A keep-alive connection busy at close() turns idle later; like Go's http.Server.Shutdown, poll for
      // idle connections until every one has closed.
      const poll = setInterval(() => server.closeIdleConnections(), 20);
      server.closeIdleConnections();
      await closed;
      clearInterval(poll);
    },
  };
  return pod;
}

export function podPort(pod: AppPod): number {
  return (pod.server.address() as AddressInfo).port;
}

export type PodState = 'ready' | 'terminating';

/** Writes the Deployment's EndpointSlice with these pods and waits until the gateway has applied it. */
export async function publish(api: FakeApiServer, gateway: GatewayProcess, port: number, pods: ReadonlyArray<{ pod: AppPod; state: PodState }>): Promise<void> {
  const before = gateway.updates;
  api.apply({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'app-x7k2p', namespace: 'default', labels: { 'kubernetes.io/service-name': 'app' } },
    addressType: 'IPv4',
    ports: [{ name: '', port, protocol: 'TCP' }],
    endpoints: pods.map(({ pod, state }) => ({
      addresses: [pod.ip],
      // As the EndpointSlice controller reports a terminating pod whose readiness probe still passes.
      conditions: state === 'ready' ? { ready: true, serving: true, terminating: false } : { ready: false, serving: true, terminating: true },
    })),
  });
  await gateway.waitForUpdate(before);
}

export interface LoadResult {
  readonly sent: number;
  readonly failures: string[];
}

export interface Load {
  /** Resolves once `count` more requests have completed: each step of a rollout is crossed by live traffic. */
  progress(count: number): Promise<void>;
  stop(): Promise<LoadResult>;
}

const requestTimeoutMs = 10_000;

function request(http: string, agent: Agent, method: 'GET' | 'POST'): Promise<string | undefined> {
  const url = new URL(http);
  return new Promise((resolve) => {
    const req = httpRequest(
      { hostname: url.hostname, port: url.port, path: '/', method, agent, headers: { host: 'app.test', ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, timeout: requestTimeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(res.statusCode === 200 ? undefined : `${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 80).trim()}`));
        res.on('error', (err) => resolve(`response error: ${err.message}`));
      },
    );
    // A hung request is a failure to report, not a test that hangs.
    req.on('timeout', () => req.destroy(new Error(`no response within ${requestTimeoutMs} ms`)));
    req.on('error', (err) => resolve(`client error: ${err.message}`));
    req.end(method === 'POST' ? 'order=1' : undefined);
  });
}

/** Sends requests back to back from `concurrency` clients until stopped; POST sends a small form body. */
export function startLoad(http: string, options: { concurrency: number; method: 'GET' | 'POST' }): Load {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const failures: string[] = [];
  let sent = 0;
  let done = 0;
  let running = true;
  const waiters: { at: number; resolve: () => void }[] = [];
  const client = async (): Promise<void> => {
    while (running) {
      sent++;
      const failure = await request(http, agent, options.method);
      if (failure !== undefined) failures.push(failure);
      done++;
      for (const w of waiters.filter((w) => done >= w.at)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const clients = Array.from({ length: options.concurrency }, () => client());
  return {
    progress(count) {
      return new Promise((resolve) => waiters.push({ at: done + count, resolve }));
    },
    async stop() {
      running = false;
      await Promise.all(clients);
      agent.destroy();
      return { sent, failures };
    },
  };
}
