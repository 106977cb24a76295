// HTTP/2 on the HTTPS listener, end to end through the real CLI process: ALPN, routing by :authority, what the
// HTTP/1.1 pod receives, large streams both ways, error answers without connection-specific headers, HTTP/1.1
// and WebSockets still served on the same port, and one upstream state shared by the HTTP and HTTPS listeners.
import { createServer, type Server } from 'node:http';
import type { ClientHttp2Session } from 'node:http2';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { readFile } from 'node:fs/promises';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { send } from '../support/http-client.ts';
import { connectionSpecific, h2request, openSession, startRecordingPod, type Recorded, type RecordingPod } from '../support/http2-client.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml, writeManifest, type RawObject } from '../support/manifests.ts';
import { handshake, makeCertificate, tlsSecret, type TestCertificate } from '../tls/certificates.ts';
import { bulkHandler, listenOn, zeros } from '../support/streams.ts';

const MiB = 1024 * 1024;
// As in streaming.test.ts: large enough that buffering a body whole cannot hide in V8's lazily collected garbage.
const transferBytes = 256 * MiB;
const tlsHosts = ['a.test', 'b.test', 'bulk.test', 'chat.test', 'empty.test', 'dead.test', 'small.test'];
let cert: TestCertificate;
let web: RecordingPod;
let api: RecordingPod;
let pairs: RecordingPod[];
let bulk: Server;
let wsHttp: Server;
let gateway: GatewayProcess;
let http: string;
let httpsPort: number;
let session: ClientHttp2Session;




function manifests(bulkPort: number, wsPort: number): RawObject[] {
  const rules = [
    { host: 'a.test', paths: [{ path: '/', service: 'web' }] },
    { host: 'b.test', paths: [{ path: '/', service: 'api' }] },
    { host: 'bulk.test', paths: [{ path: '/', service: 'bulk' }] },
    { host: 'chat.test', paths: [{ path: '/', service: 'chat' }] },
    { host: 'empty.test', paths: [{ path: '/', service: 'empty' }] },
    { host: 'dead.test', paths: [{ path: '/', service: 'dead' }] },
    { host: 'pair.test', paths: [{ path: '/', service: 'pair' }] }, // no TLS section: plain HTTP is served, not redirected
  ];
  const base = ingress('h2', rules);
  // proxy-body-size 64k for this host only (the gateway runs with no global limit for the 256 MiB transfers).
  const small = ingress('small', [{ host: 'small.test', paths: [{ path: '/', service: 'web' }] }]);
  const smallMeta = { ...(small['metadata'] as object), annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '64k' } };
  return [
    { ...small, metadata: smallMeta, spec: { ...(small['spec'] as object), tls: [{ hosts: ['small.test'], secretName: 'h2' }] } },
    tlsSecret('h2', cert),
    ...['web', 'api', 'bulk', 'chat', 'empty', 'dead', 'pair'].map((name) => service(name)),
    { ...base, spec: { ...(base['spec'] as object), tls: [{ hosts: tlsHosts, secretName: 'h2' }] } },
    ...endpointSlices('web', [{ address: web.address, port: web.port }]),
    ...endpointSlices('api', [{ address: api.address, port: api.port }]),
    ...endpointSlices('bulk', [{ address: '127.0.0.4', port: bulkPort }]),
    ...endpointSlices('chat', [{ address: '127.0.0.5', port: wsPort }]),
    ...endpointSlices('dead', [{ address: '127.0.0.9', port: 1 }]), // nothing listens: connection refused
    ...endpointSlices('pair', pairs.map((p) => ({ address: p.address, port: p.port }))),
  ];
}

beforeAll(async () => {
  cert = await makeCertificate(tlsHosts);
  const pods = await Promise.all(['127.0.0.2', '127.0.0.3', '127.0.0.6', '127.0.0.7'].map(startRecordingPod));
  [web, api] = [pods[0]!, pods[1]!];
  pairs = pods.slice(2);
  bulk = createServer(bulkHandler(transferBytes));
  wsHttp = createServer((_req, res) => res.writeHead(404).end());
  new WebSocketServer({ server: wsHttp }).on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
  const [bulkPort, wsPort] = await Promise.all([listenOn(bulk, '127.0.0.4'), listenOn(wsHttp, '127.0.0.5')]);
  const dir = await tempManifestDir();
  await writeManifest(dir, 'all.yaml', toYaml(manifests(bulkPort, wsPort)));
  // One worker: the shared-upstream test below is about the two listeners of one worker (each worker thread has
  // its own pools and round robin, as each nginx worker has its own keepalive cache). No global proxy-body-size:
  // the 256 MiB transfers need none (small.test has its own, by annotation).
  ({ gateway, http } = await startGateway(['--manifests', dir, '--workers', '1', '--proxy-body-size', '0']));
  httpsPort = (await gateway.waitForLog((l) => l.msg === 'listening' && l['listener'] === 'https'))['port'] as number;
  session = await openSession(httpsPort, 'a.test', [cert.cert]);
});

afterAll(async () => {
  session?.close();
  await gateway?.stop();
  await Promise.all([web, api, ...(pairs ?? [])].map((p) => p?.close()));
  for (const server of [bulk, wsHttp]) {
    server?.closeAllConnections();
    server?.close();
  }
});

function recorded(body: Buffer): Recorded {
  return JSON.parse(body.toString()) as Recorded;
}

function headerValues(raw: readonly string[], lowerName: string): string[] {
  return raw.flatMap((name, i) => (i % 2 === 0 && name.toLowerCase() === lowerName ? [raw[i + 1]!] : []));
}

describe('ALPN', () => {
  it('negotiates h2 when offered, http/1.1 for clients that only speak it', async () => {
    expect((await handshake(httpsPort, 'a.test', { ALPNProtocols: ['h2', 'http/1.1'] })).alpn).toBe('h2');
    expect((await handshake(httpsPort, 'a.test', { ALPNProtocols: ['http/1.1'] })).alpn).toBe('http/1.1');
  });
});

describe('HTTP/2 requests', () => {
  it('routes by :authority and sends the pod HTTP/1.1 with Host = authority and no pseudo-headers', async () => {
    // One connection (SNI a.test) carries requests for two virtual hosts: the certificate covers both (RFC 9113 §9.1.1).
    for (const [authority, pod] of [['a.test', '127.0.0.2'], ['b.test', '127.0.0.3']] as const) {
      const reply = await h2request(session, { ':path': '/p?q=1', ':authority': authority, cookie: ['a=1', 'b=2'] });
      expect(reply.status).toBe(200);
      const seen = recorded(reply.body);
      expect(seen.pod).toBe(pod);
      expect(seen.httpVersion).toBe('1.1');
      expect(seen.url).toBe('/p?q=1');
      expect(seen.rawHeaders.filter((_, i) => i % 2 === 0 && seen.rawHeaders[i]!.startsWith(':'))).toEqual([]);
      expect(headerValues(seen.rawHeaders, 'host')).toEqual([authority]);
      expect(headerValues(seen.rawHeaders, 'x-forwarded-host')).toEqual([authority]);
      expect(headerValues(seen.rawHeaders, 'x-forwarded-proto')).toEqual(['https']);
      expect(headerValues(seen.rawHeaders, 'cookie')).toEqual(['a=1; b=2']); // RFC 9113 §8.2.3
      expect(reply.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    }
  });

  it('forwards a body sent without Content-Length (HTTP/2 has no chunked framing)', async () => {
    const reply = await h2request(session, { ':method': 'POST', ':path': '/upload', ':authority': 'a.test' }, 'twelve bytes');
    expect(recorded(reply.body).bodyBytes).toBe(12);
  });

  it('proxy-body-size: a body over the limit answers 413 on its stream, whether its length is declared or counted', async () => {
    const headers = { ':method': 'POST', ':path': '/upload', ':authority': 'small.test' };
    expect((await h2request(session, { ...headers, 'content-length': String(MiB) }, zeros(MiB))).status).toBe(413);
    expect((await h2request(session, headers, zeros(MiB))).status).toBe(413); // no content-length: counted
    expect(recorded((await h2request(session, headers, zeros(60 * 1024))).body).bodyBytes).toBe(60 * 1024);
    expect((await h2request(session, { ':path': '/', ':authority': 'a.test' })).status).toBe(200); // session still usable
  });

  it('rejects an :authority and a Host header that disagree with 400', async () => {
    const reply = await h2request(session, { ':path': '/', ':authority': 'a.test', host: 'b.test' });
    expect(reply.status).toBe(400);
  });

  it.each([
    ['unknown.test', 'GET', 404],
    ['empty.test', 'GET', 503],
    ['dead.test', 'GET', 502],
    ['dead.test', 'POST', 502], // body unread: over HTTP/1.1 this answer carries Connection: close
  ] as const)('%s (%s) answers %i without connection-specific headers', async (authority, method, status) => {
    const body = method === 'POST' ? 'x'.repeat(1000) : undefined;
    const reply = await h2request(session, { ':method': method, ':path': '/', ':authority': authority }, body);
    expect(reply.status).toBe(status);
    for (const name of connectionSpecific) expect(reply.headers[name]).toBeUndefined();
    // node:http2 drops such a header with a warning instead of failing: the gateway's stderr must stay clean.
    expect(gateway.stderr).not.toMatch(/connection header/i);
    expect((await h2request(session, { ':path': '/', ':authority': 'a.test' })).status).toBe(200); // session still usable
  });

  it(`streams a ${transferBytes / MiB} MiB upload and download`, async () => {
    const bulkSession = await openSession(httpsPort, 'bulk.test', [cert.cert]);
    const baseline = await currentRssMiB(gateway.child.pid!);
    try {
      const up = await h2request(bulkSession, { ':method': 'POST', ':path': '/upload', ':authority': 'bulk.test' }, zeros(transferBytes));
      expect(up.body.toString()).toBe(String(transferBytes));
      let received = 0;
      const stream = bulkSession.request({ ':path': '/download', ':authority': 'bulk.test' });
      stream.on('data', (chunk: Buffer) => (received += chunk.length));
      await new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
      expect(received).toBe(transferBytes);
      // Buffering either body whole would add ≥ 256 MiB; streaming with back-pressure stays well under half.
      expect((await peakRssMiB(gateway.child.pid!)) - baseline).toBeLessThan(128);
    } finally {
      bulkSession.close();
    }
  });
});

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function currentRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe('HTTP/1.1 on the HTTPS listener', () => {
  it('serves a client that offers only http/1.1', async () => {
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const options: RequestOptions & { ALPNProtocols: string[] } = { host: '127.0.0.1', port: httpsPort, path: '/h1', servername: 'a.test', headers: { host: 'a.test' }, ca: cert.cert, ALPNProtocols: ['http/1.1'], agent: false };
      httpsRequest(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      }).on('error', reject).end();
    });
    expect(reply.status).toBe(200);
    expect(recorded(Buffer.from(reply.body)).url).toBe('/h1');
  });

  it('serves a client that sends no ALPN at all (wrk, old clients) as HTTP/1.1', async () => {
    // No ALPN: node:http2 hands the connection over through 'unknownProtocol' to Sluice's HTTP/1.x server.
    const socket = tlsConnect({ host: '127.0.0.1', port: httpsPort, servername: 'a.test', ca: cert.cert });
    try {
      await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
      expect(socket.alpnProtocol).toBe(false);
      socket.write('GET /no-alpn HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
      let text = '';
      socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
      await new Promise((resolve) => socket.once('end', resolve));
      expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      // The pod's record of the request (JSON, framed chunked or by length): it saw the path.
      expect(text.slice(text.indexOf('\r\n\r\n'))).toContain('/no-alpn');
    } finally {
      socket.destroy();
    }
  });

  it('upgrades WebSockets (wss://)', async () => {
    // ws passes unknown options on to tls.connect; its types do not list servername (the SNI choosing our certificate).
    const options: WebSocket.ClientOptions & { servername: string } = { headers: { host: 'chat.test' }, servername: 'chat.test', ca: cert.cert };
    const ws = new WebSocket(`wss://127.0.0.1:${httpsPort}/chat`, options);
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send('ping over tls');
      const data = await new Promise<string>((resolve) => ws.once('message', (message) => resolve(String(message))));
      expect(data).toBe('ping over tls');
    } finally {
      ws.close();
    }
  });
});

describe('upstream state shared by the HTTP and HTTPS listeners', () => {
  it('one round robin and one keep-alive connection per pod across both listeners', async () => {
    const h2 = await openSession(httpsPort, 'pair.test', null); // default certificate: pair.test has no TLS section
    try {
      const seen: Recorded[] = [];
      for (let i = 0; i < 6; i++) {
        const body = i % 2 === 0 ? Buffer.from((await send(http, '/', { host: 'pair.test' })).body) : (await h2request(h2, { ':path': '/', ':authority': 'pair.test' })).body;
        seen.push(recorded(body));
      }
      const pods = seen.map((s) => s.pod);
      for (let i = 1; i < pods.length; i++) expect(pods[i]).not.toBe(pods[i - 1]);
      // Sequential requests on keep-alive pools: one upstream connection per pod, whichever listener asked.
      for (const pod of new Set(pods)) expect(new Set(seen.filter((s) => s.pod === pod).map((s) => s.remotePort)).size).toBe(1);
    } finally {
      h2.close();
    }
  });
});
