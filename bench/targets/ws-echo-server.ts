// WebSocket echo "pods" for the WebSocket scenario, run as a child process: `node ws-echo-server.ts addr:port…`.
// Prints "listening" once every server listens.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const servers = process.argv.slice(2).map((spec) => {
  const [address, port] = spec.split(':') as [string, string];
  const http = createServer((_req, res) => res.end('ws pod\n'));
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  return new Promise<void>((resolve) => http.listen(Number(port), address, resolve));
});
await Promise.all(servers);
process.stdout.write('listening\n');
