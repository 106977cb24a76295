import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import type { Diagnostic, SourceUpdate } from '../../src/model/index.ts';
import { ManifestSource } from '../../src/watch/index.ts';

// Test harness for ManifestSource over a real temp directory and real fs.watch. Waiting is always on the
// source's own signals (an update arriving, settled()), never on fixed sleeps.

// A bound on failure only. It was 5 s until a CI run on a loaded machine (115 s for a suite that takes 87) hit it
// once and could not be reproduced in 25 runs beside 3 busy-looping processes; the message now says what the
// source had done, so a real lost change can be told from a slow machine.
const waitLimitMs = 20_000;

export interface Delivery {
  readonly update: SourceUpdate;
  readonly diagnostics: Diagnostic[];
  /** performance.now() when it was delivered. */
  readonly at: number;
}

export interface Harness {
  readonly source: ManifestSource;
  readonly deliveries: Delivery[];
  readonly logs: Record<string, unknown>[];
  /** Resolves with the first delivery after `since` (an index into deliveries) that satisfies `predicate`. */
  waitFor(predicate: (d: Delivery) => boolean, since?: number): Promise<Delivery>;
  latest(): Delivery;
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sluice-watch-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Writes like editors and kubectl-style tools do: a temp file renamed over the target (one atomic change). */
export async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  await writeFile(tmp, text);
  await rename(tmp, path);
}

export function createHarness(path: string, onUpdate?: () => void, configMap?: { namespace: string; name: string }): Harness {
  const deliveries: Delivery[] = [];
  const logs: Record<string, unknown>[] = [];
  let waiters: { predicate: (d: Delivery) => boolean; resolve: (d: Delivery) => void }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const source = new ManifestSource({
    path,
    logger,
    configMap,
    onUpdate: (update, diagnostics) => {
      const delivery = { update, diagnostics, at: performance.now() };
      deliveries.push(delivery);
      const matched = waiters.filter((w) => w.predicate(delivery));
      waiters = waiters.filter((w) => !matched.includes(w));
      for (const w of matched) w.resolve(delivery);
      onUpdate?.();
    },
  });
  const describeState = (): string => {
    const notable = logs.filter((entry) => typeof entry.level === 'number' && entry.level >= 40);
    return `${deliveries.length} deliveries (generation ${source.generation}); warnings and errors logged: ${JSON.stringify(notable)}`;
  };
  return {
    source,
    deliveries,
    logs,
    waitFor(predicate, since = deliveries.length) {
      const seen = deliveries.slice(since).find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        // A bound on failure only (the test fails fast instead of hanging); success never waits for it.
        const timer = setTimeout(() => reject(new Error(`no matching update within ${waitLimitMs} ms; ${describeState()}`)), waitLimitMs);
        waiters.push({ predicate, resolve: (d) => (clearTimeout(timer), resolve(d)) });
      });
    },
    latest() {
      const last = deliveries.at(-1);
      if (!last) throw new Error('no update delivered yet');
      return last;
    },
  };
}

export function names(objects: readonly { metadata: { namespace: string; name: string } }[]): string[] {
  return objects.map((o) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name));
}

export function service(name: string, port = 80, namespace = 'default'): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  ports: [{port: ${port}}]
`;
}

export function ingress(name: string, host: string, serviceName = 'web'): string {
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}}
spec:
  rules:
  - host: ${host}
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: ${serviceName}, port: {number: 80}}}}
`;
}

export function endpointSlice(name: string, serviceName: string, addresses: string[]): string {
  return `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}
  labels: {kubernetes.io/service-name: ${serviceName}}
addressType: IPv4
ports: [{port: 9000}]
endpoints:
${addresses.map((a) => `- addresses: [${a}]`).join('\n')}
`;
}

export function servicePort(d: Delivery, name: string): number | undefined {
  return d.update.snapshot.services.find((s) => s.metadata.name === name)?.spec.ports[0]?.port;
}

export function configMap(name: string, namespace: string, data: Record<string, unknown>): string {
  return `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: ${namespace}}
data: ${JSON.stringify(data)}
`;
}
