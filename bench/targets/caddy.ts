// Caddy (Debian's package), the Go-class peer of issue 8: `reverse_proxy` to the same two pods, round robin,
// idle upstream connections kept like nginx's `keepalive 320`, no access log (Caddy logs none unless asked),
// admin API and automatic HTTPS off. Pinned to the proxy CPU, so the Go runtime sees one CPU (GOMAXPROCS=1).
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caddyPort } from '../lib/net.ts';
import { cpus, spawnPinned, stopProcess, waitFor } from '../lib/proc.ts';
import type { ProxyTarget } from './nginx-proxy.ts';
import type { Pods } from './pods.ts';

export const hasCaddy = (): boolean => spawnSync('caddy', ['version']).status === 0;

export function caddyVersion(): string {
  const out = spawnSync('caddy', ['version'], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : 'not installed';
}

export async function startCaddy(pods: Pods): Promise<ProxyTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-caddy-'));
  const upstreams = pods.http.slice(0, 2).map((p) => `${p.address}:${p.port}`).join(' ');
  await writeFile(
    join(dir, 'Caddyfile'),
    `{
	admin off
	auto_https off
}
http://:${caddyPort} {
	bind 127.0.0.1
	reverse_proxy ${upstreams} {
		lb_policy round_robin
		transport http {
			keepalive 60s
			keepalive_idle_conns 320
			keepalive_idle_conns_per_host 320
		}
	}
}
`,
  );
  // HOME and XDG paths point into the temporary directory: Caddy writes its data and autosave there, not in ~.
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir };
  const child = spawnPinned(cpus.proxy, 'caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const url = `http://127.0.0.1:${caddyPort}`;
  try {
    await waitFor('caddy to listen', async () => {
      if (child.exitCode !== null) throw new Error(`caddy exited with ${child.exitCode}: ${stderr.trim()}`);
      return fetch(url).then((r) => (r.ok ? true : undefined), () => undefined);
    });
  } catch (err: unknown) {
    await stopProcess(child);
    throw err;
  }
  return { url, pid: child.pid!, stop: () => stopProcess(child) };
}
