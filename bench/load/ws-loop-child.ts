// WebSocket load loop (autocannon has no WebSocket mode), run as a pinned child process. Opens `connections`
// WebSockets through the target, then on each one sends a message, waits for its echo, and sends the next,
// for `durationS` seconds. Prints one JSON line: round trips, per-round-trip latency percentiles, errors.
import { WebSocket } from 'ws';

interface Spec {
  url: string;
  host: string;
  connections: number;
  durationS: number;
  messageBytes: number;
}

const spec = JSON.parse(process.argv[2]!) as Spec;
const message = Buffer.alloc(spec.messageBytes, 'm');
const latenciesUs: number[] = [];
let errors = 0;

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(spec.url, { headers: { host: spec.host }, perMessageDeflate: false });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

const sockets = await Promise.all(Array.from({ length: spec.connections }, open));
const started = performance.now();
const deadline = started + spec.durationS * 1000;
await Promise.all(
  sockets.map(
    (socket) =>
      new Promise<void>((resolve) => {
        let sentAt = 0;
        const send = (): void => {
          sentAt = performance.now();
          socket.send(message);
        };
        socket.on('message', (data: Buffer) => {
          const now = performance.now();
          if (data.length !== message.length) errors++;
          latenciesUs.push((now - sentAt) * 1000);
          if (now < deadline) send();
          else resolve();
        });
        socket.on('error', () => errors++);
        socket.on('close', () => {
          if (performance.now() < deadline) errors++;
          resolve();
        });
        send();
      }),
  ),
);
const elapsedS = (performance.now() - started) / 1000;
for (const socket of sockets) socket.close();
latenciesUs.sort((a, b) => a - b);
const at = (p: number): number => latenciesUs[Math.min(latenciesUs.length - 1, Math.ceil((p / 100) * latenciesUs.length) - 1)] ?? Number.NaN;
process.stdout.write(
  JSON.stringify({ messages: latenciesUs.length, elapsedS, p50Us: at(50), p99Us: at(99), p999Us: at(99.9), errors }) + '\n',
);
process.exit(0);
