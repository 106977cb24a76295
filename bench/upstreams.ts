// The benchmark's upstream "pods" and the nginx reverse-proxy baseline. nginx (Debian's package) makes the
// fastest pods, so the upstreams are not what limits the proxy under test; without it Node servers stand in.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const podPort = 18090;
const proxyPort = 18082;
const body = 'hello, bench\n';

export interface Upstreams {
  kind: 'nginx' | 'node';
  pods: Array<{ address: string; port: number }>;
  stop(): Promise<void>;
}

const hasNginx = (): boolean => spawnSync('nginx', ['-v']).status === 0;

async function startNginx(name: string, httpBlock: string, cpu: number | undefined): Promise<{ pid: number; stop: () => void }> {
  const dir = await mkdtemp(join(tmpdir(), `bench-${name}-`));
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join(' ');
  await writeFile(join(dir, 'nginx.conf'), `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http { access_log off; ${temp} ${httpBlock} }
`);
  const args = ['-e', `${dir}/error.log`, '-p', dir, '-c', join(dir, 'nginx.conf')];
  const child = cpu === undefined ? spawn('nginx', args, { stdio: 'inherit' }) : spawn('taskset', ['-c', String(cpu), 'nginx', ...args], { stdio: 'inherit' });
  for (let i = 0; i < 50; i++) {
    const children = await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').catch(() => '');
    const worker = Number(children.trim().split(' ')[0]);
    if (worker > 0) return { pid: worker, stop: () => child.kill('SIGTERM') };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`nginx ${name} did not start; see ${dir}/error.log`);
}

export async function startUpstreams(): Promise<Upstreams> {
  const addresses = ['127.0.0.2', '127.0.0.3'];
  const pods = addresses.map((address) => ({ address, port: podPort }));
  if (hasNginx()) {
    const listens = addresses.map((a) => `listen ${a}:${podPort} reuseport;`).join(' ');
    const nginx = await startNginx('pods', `server { ${listens} keepalive_requests 1000000; location / { return 200 "${body.trim()}\\n"; } }`, 0);
    return { kind: 'nginx', pods, stop: async () => nginx.stop() };
  }
  const servers: Server[] = addresses.map(() => createServer((_req, res) => res.end(body)));
  await Promise.all(servers.map((s, i) => new Promise<void>((r) => s.listen(podPort, addresses[i], r))));
  return { kind: 'node', pods, stop: async () => void servers.forEach((s) => s.close()) };
}

/** nginx as ingress-nginx configures a location: HTTP/1.1 upstream keep-alive and its standard headers. */
export async function startNginxProxy(upstreams: Upstreams, pinned: boolean): Promise<{ url: string; workerPid: number; stop: () => void } | undefined> {
  if (!hasNginx()) return undefined;
  const servers = upstreams.pods.map((p) => `server ${p.address}:${p.port};`).join(' ');
  const headers = [
    'Host $http_host', 'X-Request-ID $request_id', 'X-Real-IP $remote_addr', 'X-Forwarded-For $remote_addr',
    'X-Forwarded-Host $http_host', 'X-Forwarded-Port $server_port', 'X-Forwarded-Proto $scheme', 'X-Scheme $scheme',
    'Connection ""', 'Proxy ""',
  ].map((h) => `proxy_set_header ${h};`).join(' ');
  const nginx = await startNginx(
    'proxy',
    `upstream pods { ${servers} keepalive 320; keepalive_requests 10000; }
     server { listen 127.0.0.1:${proxyPort}; keepalive_requests 1000000;
       location / { proxy_pass http://pods; proxy_http_version 1.1; ${headers} } }`,
    pinned ? 1 : undefined,
  );
  return { url: `http://127.0.0.1:${proxyPort}/`, workerPid: nginx.pid, stop: nginx.stop };
}
