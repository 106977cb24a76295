// Shared by the test/e2e/annotations-*.test.ts files: the real CLI on a manifest directory, echo pods behind
// Services, and builders for annotated Ingresses (test/support/manifests.ts builds plain ones).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEchoPod, type EchoPod } from '../../scripts/echo-pod.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { endpointSlices, service, tempManifestDir, toYaml, writeManifest, type RawObject } from '../support/manifests.ts';

export const prefix = 'nginx.ingress.kubernetes.io';

export interface Fixture {
  readonly gateway: GatewayProcess;
  readonly http: string;
  readonly pods: ReadonlyMap<string, EchoPod>;
  close(): Promise<void>;
}

/** Adds `nginx.ingress.kubernetes.io/<name>` annotations (and optionally spec.tls) to a built Ingress. */
export function annotated(ingress: RawObject, annotations: Record<string, string>, tlsHosts?: readonly string[]): RawObject {
  const metadata = ingress['metadata'] as RawObject;
  const spec = ingress['spec'] as RawObject;
  const prefixed = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k.includes('/') ? k : `${prefix}/${k}`, v]));
  return {
    ...ingress,
    metadata: { ...metadata, annotations: prefixed },
    spec: tlsHosts === undefined ? spec : { ...spec, tls: [{ hosts: tlsHosts }] },
  };
}

/**
 * Starts one echo pod per named Service (on 127.0.0.2, .3, …) and the gateway on `objects` (Ingresses etc.).
 * Services listed in `withoutEndpoints` exist but have no EndpointSlice.
 */
export async function startFixture(
  services: readonly string[],
  objects: readonly RawObject[],
  args: readonly string[] = [],
  withoutEndpoints: readonly string[] = [],
): Promise<Fixture> {
  const pods = new Map<string, EchoPod>();
  await Promise.all(services.map(async (name, i) => pods.set(name, await startEchoPod(name, `127.0.0.${i + 2}`))));
  const dir = await tempManifestDir();
  const slices = services.flatMap((name) => endpointSlices(name, [{ address: pods.get(name)!.address, port: pods.get(name)!.port }]));
  await writeManifest(dir, 'services.yaml', toYaml([...services, ...withoutEndpoints].map((name) => service(name))));
  await writeManifest(dir, 'endpoints.yaml', toYaml(slices));
  await writeManifest(dir, 'ingresses.yaml', toYaml(objects));
  const { gateway, http } = await startGateway(['--manifests', dir, ...args]);
  return {
    gateway,
    http,
    pods,
    async close() {
      await gateway.stop();
      await Promise.all([...pods.values()].map((pod) => pod.close()));
    },
  };
}

/** A pod that answers `GET /status/<code>` with that status and a body naming itself (custom-http-errors tests). */
export async function startStatusPod(address: string): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const code = Number(/^\/status\/(\d{3})/.exec(req.url ?? '')?.[1] ?? 200);
    res.writeHead(code, { 'content-type': 'text/plain', 'x-pod': 'status' });
    res.end(`status pod says ${code}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
