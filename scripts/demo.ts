// `npm run demo`: the gateway on the bundled example, no cluster needed.
//
// Starts the origin story's four "pods" (two per Service) on loopback addresses, then the real `sluice` CLI on
// examples/ claiming the `nginx` class the example's Ingresses name, and prints requests to try. Extra arguments
// are passed to sluice (e.g. `npm run demo -- --http-port 9999`). Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEchoPod, type EchoPod } from './echo-pod.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const pods: EchoPod[] = await Promise.all([
  startEchoPod('hello-server', '127.0.0.2', 9000),
  startEchoPod('hello-server', '127.0.0.3', 9000),
  startEchoPod('nginx-demo', '127.0.0.4', 9080),
  startEchoPod('nginx-demo', '127.0.0.5', 9080),
]).catch((error: unknown) => {
  console.error(`demo: cannot start the demo pods on 127.0.0.2-5 (${String(error)}). Linux routes all of 127/8 to lo.`);
  process.exit(1);
});

const extra = process.argv.slice(2);
const httpPort = valueOf('--http-port', '8080');
const statusPort = valueOf('--status-port', '10254');
const gateway = spawn(
  process.execPath,
  // As the image starts it (bin/sluice.mjs says why).
  ['--no-memory-reducer', `${root}bin/sluice.mjs`, '--manifests', `${root}examples`, '--ingress-class', 'nginx', '--bind-address', '127.0.0.1', ...extra],
  { stdio: 'inherit' },
);

function valueOf(flag: string, fallback: string): string {
  const at = extra.indexOf(flag);
  return at >= 0 && extra[at + 1] !== undefined ? extra[at + 1]! : fallback;
}

async function waitUntilReady(): Promise<boolean> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const ready = await fetch(`http://127.0.0.1:${statusPort}/readyz`).then((r) => r.ok, () => false);
    if (ready) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

function printTryThis(): void {
  const base = `http://127.0.0.1:${httpPort}`;
  console.log(`
Sluice is serving examples/ (the origin story). Try:

  curl -H 'Host: hello.example.com' ${base}/            # hello-server, alternating between its two pods
  curl -H 'Host: hello.example.com' ${base}/any/path    # every path; the pod sees "/" (the Ingress-wide
                                                        # rewrite-target /$2 applies here too, as in ingress-nginx)
  curl -H 'Host: demo.example.com'  ${base}/nginx/xxx   # nginx-demo, prefix rewritten away: the pod sees /xxx
  curl -H 'Host: demo.example.com'  ${base}/nginx       # the pod sees /
  curl -H 'Host: haha.example.com'  ${base}/            # nginx-demo (Exact /)
  curl -H 'Host: haha.example.com'  ${base}/other       # 404: Exact / matches only /
  curl -H 'Host: unknown.example'   ${base}/            # 404: no rule for this host
  curl ${base.replace(String(httpPort), String(statusPort))}/readyz

haha.example.com has limit-rps: "1", as ingress-nginx computes it: a fresh client gets 6 requests at once
(burst = 1 × 5, plus one), then one per second; refreshing quickly gets 503 Service Temporarily Unavailable:
  for i in $(seq 8); do curl -s -o /dev/null -w '%{http_code} ' -H 'Host: haha.example.com' ${base}/; done
Press Ctrl-C to stop.
`);
}

function shutdown(): void {
  gateway.kill('SIGTERM');
  void Promise.all(pods.map((pod) => pod.close())).then(() => process.exit(0));
}

gateway.on('exit', (code) => {
  void Promise.all(pods.map((pod) => pod.close())).then(() => process.exit(code ?? 1));
});
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
if (await waitUntilReady()) printTryThis();
else console.error('demo: the gateway did not become ready within 10 s; see its log above.');
