// A small real HTTP/2 client for tests (node:http2 over TLS), plus a recording pod that shows exactly what
// reached it: protocol version, raw header list and connection, so a test can assert what the gateway forwarded.
import { connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface H2Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP/2 session to the gateway's HTTPS port, trusting `ca`; `servername` is the SNI. */
export function openSession(port: number, servername: string, ca: readonly string[] | null): Promise<ClientHttp2Session> {
  const tls = ca === null ? { rejectUnauthorized: false } : { ca: [...ca] };
  const session = connect(`https://127.0.0.1:${port}`, { ...tls, servername });
  return new Promise((resolve, reject) => {
    session.once('connect', () => {
      session.off('error', reject);
      resolve(session);
    });
    session.once('error', reject);
  });
}

/** One request on `session`; `body` is written in one piece, or streamed when it is an async iterable. */
export function h2request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: Buffer | string | AsyncIterable<Buffer>): Promise<H2Reply> {
  const stream = session.request(headers, { endStream: body === undefined });
  return new Promise((resolve, reject) => {
    let response: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (response = h));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status: Number(response[':status']), headers: response, body: Buffer.concat(chunks) }));
    stream.on('error', reject);
    if (body === undefined) return;
    if (typeof body === 'string' || Buffer.isBuffer(body)) return void stream.end(body);
    void (async () => {
      for await (const chunk of body) if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
      stream.end();
    })().catch(reject);
  });
}

export interface Recorded {
  pod: string;
  httpVersion: string;
  rawHeaders: string[];
  url: string;
  remotePort: number;
  bodyBytes: number;
}

export interface RecordingPod {
  readonly address: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** Answers every request with JSON describing it (see Recorded). */
export async function startRecordingPod(address: string): Promise<RecordingPod> {
  const server = createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on('end', () => {
      const reply: Recorded = { pod: address, httpVersion: req.httpVersion, rawHeaders: req.rawHeaders, url: req.url ?? '', remotePort: req.socket.remotePort ?? 0, bodyBytes };
      res.writeHead(200, { 'content-type': 'application/json', 'x-pod': address }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as AddressInfo).port;
  const close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return { address, port, server, close };
}

/** Connection-specific headers HTTP/2 forbids (RFC 9113 §8.2.2). */
export const connectionSpecific = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];
