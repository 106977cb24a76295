// The undici floor baseline, run as a child process: `node undici-floor-server.ts <port> <pod>…`.
// The fastest Node proxy issue 8 measured before Sluice had its own upstream client, with no feature at all: a
// node:http server driving one undici Pool per pod through dispatch(), round robin, the client's raw headers passed
// up and the pod's passed down, nothing added. Sluice's forwarder was built on it until src/proxy/upstream/
// replaced undici; the row keeps the reason for that measured in every run (undici floor ÷ node floor).
import { Pool, type Dispatcher } from 'undici';
import { Relay, serveFloor } from './floor-server.ts';

class PassThrough extends Relay implements Dispatcher.DispatchHandler {
  onResponseStart(controller: Dispatcher.DispatchController, status: number): void {
    const raw = controller.rawHeaders;
    const headers: string[] = [];
    if (Array.isArray(raw)) for (let i = 0; i < raw.length; i += 2) headers.push(String(raw[i]), String(raw[i + 1]));
    this.res.writeHead(status, headers);
  }
}

serveFloor(
  (_address, _port, key) => new Pool(`http://${key}`, { pipelining: 1, connections: 320, keepAliveTimeout: 60_000 }),
  (pool, req, res) =>
    pool.dispatch({ path: req.url ?? '/', method: req.method ?? 'GET', headers: req.rawHeaders, headersTimeout: 0, bodyTimeout: 0 }, new PassThrough(res)),
);
