// nginx as a 1-worker reverse proxy configured the way ingress-nginx renders a location (its nginx.tmpl defaults):
// HTTP/1.1 upstream with `keepalive 320`, the standard forwarded headers, the Upgrade/Connection map for
// WebSockets, proxy_buffering off, request buffering on with an 8k body buffer and a 1m body limit. The bar
// issue 8 sets: Sluice's ratios are to this process, measured in the same run.
import { hosts, nginxProxyPort } from '../lib/net.ts';
import { cpus } from '../lib/proc.ts';
import { startNginx } from './nginx.ts';
import type { Pods } from './pods.ts';

export interface ProxyTarget {
  readonly url: string;
  /** The process whose CPU and RSS are the proxy's cost. */
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startNginxProxy(pods: Pods): Promise<ProxyTarget> {
  const upstream = (name: string, list: Pods['http']) =>
    `upstream ${name} { ${list.map((p) => `server ${p.address}:${p.port};`).join(' ')} keepalive 320; keepalive_requests 10000; keepalive_timeout 60s; }`;
  const headers = [
    'Host $http_host', 'X-Request-ID $request_id', 'X-Real-IP $remote_addr', 'X-Forwarded-For $remote_addr',
    'X-Forwarded-Host $http_host', 'X-Forwarded-Port $server_port', 'X-Forwarded-Proto $scheme', 'X-Scheme $scheme',
    'Upgrade $http_upgrade', 'Connection $connection_upgrade', 'Proxy ""',
  ].map((h) => `proxy_set_header ${h};`).join(' ');
  const location = (pool: string) =>
    `location / { proxy_pass http://${pool}; proxy_http_version 1.1; proxy_buffering off; proxy_request_buffering on; ${headers} }`;
  const nginx = await startNginx(
    'proxy',
    () => `map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
     client_body_buffer_size 8k; client_max_body_size 1m; proxy_read_timeout 60s;
     ${upstream('pods', pods.http.slice(0, 2))}
     ${upstream('wspods', pods.ws)}
     server { listen 127.0.0.1:${nginxProxyPort} default_server; keepalive_requests 1000000; ${location('pods')} }
     server { listen 127.0.0.1:${nginxProxyPort}; server_name ${hosts.ws}; keepalive_requests 1000000; ${location('wspods')} }`,
    cpus.proxy,
  );
  return { url: `http://127.0.0.1:${nginxProxyPort}`, pid: nginx.workerPid, stop: nginx.stop };
}
