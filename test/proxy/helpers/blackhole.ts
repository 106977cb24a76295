// A TCP address whose connects hang, on loopback, for connect-timeout tests. A worker thread listens with a
// backlog of 1 and then blocks its event loop, so it never accept()s; once the kernel's accept queue is full
// (two handshakes for backlog 1 on Linux) further SYNs are dropped and connect() waits — exactly what an
// unreachable pod looks like. `ready` is only resolved after a probe connect really hangs.
import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';

export interface Blackhole {
  readonly ip: string;
  readonly port: number;
  close(): Promise<void>;
}

const workerSource = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer();
server.listen({ port: 0, host: workerData.ip, backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  setImmediate(() => {
    while (Atomics.wait(workerData.flag, 0, 0, 50) !== 'ok') {}
    server.close();
  });
});`;

export async function startBlackhole(ip: string): Promise<Blackhole> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(workerSource, { eval: true, workerData: { ip, flag } });
  const port = await new Promise<number>((resolve, reject) => worker.once('message', resolve).once('error', reject));
  const fillers: Socket[] = [];
  for (let i = 0; i < 8; i++) {
    const socket = connect(port, ip);
    socket.on('error', () => undefined);
    fillers.push(socket);
    const outcome = await Promise.race([
      new Promise<string>((resolve) => socket.once('connect', () => resolve('connected'))),
      new Promise<string>((resolve) => setTimeout(() => resolve('hang'), 300)),
    ]);
    if (outcome === 'hang') break;
    if (i === 7) throw new Error('blackhole: the accept queue never filled; connects do not hang here');
  }
  return {
    ip,
    port,
    async close() {
      for (const socket of fillers) socket.destroy();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await worker.terminate();
    },
  };
}
