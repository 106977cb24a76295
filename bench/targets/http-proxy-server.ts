// The minimal `http-proxy` baseline, run as a child process: `node http-proxy-server.ts <port> <pod>…`.
// No features at all (round robin, X-Forwarded-* headers, keep-alive upstream Agent): what the most used Node
// proxy library costs per request. Sluice's own proxy path does not use it (see bench/README.md).
import { Agent, createServer } from 'node:http';
import httpProxy from 'http-proxy';

const [port, ...pods] = process.argv.slice(2);
const targets = pods.map((pod) => `http://${pod}`);
const agent = new Agent({ keepAlive: true, maxSockets: 320, maxFreeSockets: 320 });
const proxy = httpProxy.createProxyServer({ agent, xfwd: true });
proxy.on('error', (_err, _req, res) => {
  if ('writeHead' in res && !res.headersSent) res.writeHead(502);
  res.end();
});
let next = 0;
const server = createServer((req, res) => {
  next = (next + 1) % targets.length;
  proxy.web(req, res, { target: targets[next] });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
