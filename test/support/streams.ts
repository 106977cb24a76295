import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A stream of `bytes` zero bytes in 64 KiB chunks, produced on demand (never held in memory at once). */
export function zeros(bytes: number): Readable {
  const chunk = Buffer.alloc(64 * 1024);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) return void this.push(null);
      const piece = bytes - sent >= chunk.length ? chunk : chunk.subarray(0, bytes - sent);
      sent += piece.length;
      this.push(piece);
    },
  });
}

/** An upstream for transfer tests: GET streams `bytes` zero bytes; any other method answers with the count it received. */
export function bulkHandler(bytes: number): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes });
      void pipeline(zeros(bytes), res).catch(() => res.destroy());
      return;
    }
    let received = 0;
    req.on('data', (chunk: Buffer) => (received += chunk.length));
    req.on('end', () => res.end(String(received)));
  };
}

/** Listens on an ephemeral port of `address` and returns the port. */
export async function listenOn(server: Server, address: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return (server.address() as AddressInfo).port;
}
