// The benchmark's upstream "pods": Debian's nginx on three loopback addresses (the fastest server there is, so
// the upstreams are not what limits the proxy under test; a Node upstream costs ≈2.7× an nginx one per request,
// issue 8), and a Node `ws` echo server on two of them for the WebSocket scenario (nginx cannot echo).
// Every answer carries `X-Pod: <address>`, which the change-latency measurements use to see an endpoint switch.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bodyBytes, podAddresses, podPort, wsPodPort, paths } from '../lib/net.ts';
import { cpus, onLines, spawnPinned, stopProcess } from '../lib/proc.ts';
import { startNginx } from './nginx.ts';

export interface Pod {
  readonly address: string;
  readonly port: number;
}

export interface Pods {
  /** HTTP pods (nginx): the first two serve the routes; the third is the replacement in endpoint churn. */
  readonly http: readonly Pod[];
  /** WebSocket echo pods (Node `ws`). */
  readonly ws: readonly Pod[];
  stop(): Promise<void>;
}

const wsEchoScript = fileURLToPath(new URL('./ws-echo-server.ts', import.meta.url));

export async function startPods(): Promise<Pods> {
  const listens = podAddresses.map((a) => `listen ${a}:${podPort};`).join(' ');
  const nginx = await startNginx(
    'pods',
    (dir) => `sendfile on; tcp_nopush on;
server { ${listens} keepalive_requests 1000000; client_max_body_size 2m; root ${dir}/www;
  add_header X-Pod $server_addr always;
  location = ${paths.download} { }
  location = ${paths.upload} { return 200 "uploaded\\n"; }
  location / { return 200 "hello, bench\\n"; } }`,
    cpus.rest,
  );
  await mkdir(join(nginx.dir, 'www'), { recursive: true });
  await writeFile(join(nginx.dir, 'www', paths.download.slice(1)), Buffer.alloc(bodyBytes, 'x'));

  const wsPods = podAddresses.slice(0, 2).map((address) => ({ address, port: wsPodPort }));
  const echo = spawnPinned(cpus.rest, process.execPath, [wsEchoScript, ...wsPods.map((p) => `${p.address}:${p.port}`)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      onLines(echo.stdout!, (line) => line === 'listening' && resolve());
      echo.once('exit', (code) => reject(new Error(`ws echo pods exited with ${code}`)));
    });
  } catch (err: unknown) {
    await stopProcess(echo);
    await nginx.stop();
    throw err;
  }
  return {
    http: podAddresses.map((address) => ({ address, port: podPort })),
    ws: wsPods,
    async stop() {
      await stopProcess(echo);
      await nginx.stop();
    },
  };
}
