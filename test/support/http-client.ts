// A small real HTTP client for tests: node:http, because fetch() refuses to set the Host header and routing
// by Host is what most tests exercise.
import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SendOptions {
  method?: string;
  host?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: Agent | false;
}

export function send(baseUrl: string, path: string, options: SendOptions = {}): Promise<Reply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: url.hostname,
        port: url.port,
        path,
        method: options.method ?? 'GET',
        agent: options.agent ?? false,
        headers: { ...(options.host ? { host: options.host } : {}), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The echo pod's JSON reply (see scripts/echo-pod.ts). */
export function echoOf(reply: Reply): { service: string; pod: string; url: string; headers: Record<string, string> } {
  if (reply.status !== 200) throw new Error(`expected 200 from an echo pod, got ${reply.status}: ${reply.body}`);
  return JSON.parse(reply.body) as { service: string; pod: string; url: string; headers: Record<string, string> };
}

/**
 * Sends raw bytes (what node:http's client cannot write: garbage, absolute-form targets, bad headers) on a fresh
 * connection and resolves with everything the gateway answered once it closes. `halfClose`: end the client side
 * after writing, for requests the gateway may never answer; a request that is proxied must not half-close (the
 * gateway takes the client's FIN for an abort) and should ask for `Connection: close` instead.
 */
export function rawExchange(port: number, bytes: string, { halfClose = true } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
    if (halfClose) socket.end(bytes);
    else socket.write(bytes);
  });
}
