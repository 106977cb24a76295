// HTTPS end to end through the real CLI process: certificates from Secrets chosen by SNI, the default (fake)
// certificate, Secret diagnostics, rotation without restart, TLS versions, forwarded headers and HSTS.
import { request as httpsRequest, Agent, type RequestOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoPod, type EchoPod } from '../../scripts/echo-pod.ts';
import { fakeCertificateCommonName } from '../../src/tls/index.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { send, type Reply } from '../support/http-client.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml, writeManifest, type RawObject } from '../support/manifests.ts';
import { handshake, makeCertificate, tlsSecret, type TestCertificate } from '../tls/certificates.ts';

let web: EchoPod;
let dir: string;
let gateway: GatewayProcess;
let http: string;
let httpsPort: number;
let certs: Record<'a' | 'b' | 'wild' | 'rotated', TestCertificate>;

const hosts = ['a.test', 'b.test', 'x.wild.test', 'broken.test', 'nosecret.test', 'mismatch.test'];

function tlsIngress(): RawObject {
  const base = ingress('shop', hosts.map((host) => ({ host, paths: [{ path: '/', service: 'web' }] })));
  const tls = [
    { hosts: ['a.test'], secretName: 'a' },
    { hosts: ['b.test'], secretName: 'b' },
    { hosts: ['*.wild.test'], secretName: 'wild' }, // a wildcard TLS host: x.wild.test reaches it through the index's wildcard step
    { hosts: ['broken.test'], secretName: 'broken' },
    { hosts: ['nosecret.test'] },
    { hosts: ['mismatch.test'], secretName: 'b' },
  ];
  return { ...base, spec: { ...(base['spec'] as object), tls } };
}

function secretsYaml(a: TestCertificate): string {
  const broken = { ...tlsSecret('broken', certs.b), data: { 'tls.crt': Buffer.from('not a certificate').toString('base64'), 'tls.key': 'AAAA' } };
  return toYaml([tlsSecret('a', a), tlsSecret('b', certs.b), tlsSecret('wild', certs.wild), broken]);
}

/** An HTTPS request trusting only the test certificates (so the default certificate fails verification). */
function get(host: string, path: string, agent: Agent | false = false): Promise<Reply & { peer: string; reused: boolean }> {
  const options: RequestOptions = { host: '127.0.0.1', port: httpsPort, path, servername: host, headers: { host }, agent, ca: Object.values(certs).map((c) => c.cert) };
  return new Promise((resolve, reject) => {
    const req = httpsRequest(options, (res) => {
      // Read now: a keep-alive socket is detached from the response once it ends.
      const peer = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), peer, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const [a, b, wild, rotated] = await Promise.all([
    makeCertificate(['a.test']),
    makeCertificate(['b.test']),
    makeCertificate(['*.wild.test']),
    makeCertificate(['a.test']),
  ]);
  certs = { a, b, wild, rotated };
  web = await startEchoPod('web', '127.0.0.2');
  dir = await tempManifestDir();
  await writeManifest(dir, 'secrets.yaml', secretsYaml(a));
  await writeManifest(dir, 'app.yaml', toYaml([service('web'), tlsIngress(), ...endpointSlices('web', [{ address: web.address, port: web.port }])]));
  ({ gateway, http } = await startGateway(['--manifests', dir]));
  const line = await gateway.waitForLog((l) => l.msg === 'listening' && l['listener'] === 'https');
  httpsPort = line['port'] as number;
});

afterAll(async () => {
  await gateway?.stop();
  await web?.close();
});

describe('certificates by SNI', () => {
  it.each([
    ['a.test', 'a'],
    ['A.TEST', 'a'], // SNI is case-insensitive
    ['b.test', 'b'],
    ['x.wild.test', 'wild'], // single-label wildcard certificate
  ] as const)('%s gets certificate %s', async (servername, cert) => {
    expect((await handshake(httpsPort, servername)).fingerprint).toBe(certs[cert].fingerprint);
  });

  it.each([['unknown.test'], ['y.x.wild.test'], ['broken.test'], ['nosecret.test'], ['mismatch.test'], [undefined]])(
    'SNI %s gets the default (fake) certificate',
    async (servername) => {
      const result = await handshake(httpsPort, servername);
      expect(result.subject.CN).toBe(fakeCertificateCommonName);
      expect(result.subject.O).toBe('Acme Co');
    },
  );

  it('reports the invalid and non-covering Secrets, naming them, without key material', () => {
    const logged = gateway.lines.filter((l) => ['SecretInvalid', 'CertificateHostMismatch'].includes(l['reason'] as string));
    expect(logged.map((l) => [l['reason'], l['object'], l['field']])).toEqual([
      ['SecretInvalid', 'Ingress default/shop', 'spec.tls[3].secretName'],
      ['CertificateHostMismatch', 'Ingress default/shop', 'spec.tls[5].secretName'],
    ]);
    expect(logged[0]!.msg).toContain('Secret default/broken');
    expect(JSON.stringify(gateway.lines)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(gateway.lines)).not.toContain(Buffer.from(certs.a.key).toString('base64').slice(40, 80));
  });

  it('serves hosts whose Secret is broken (default certificate), and the others unaffected', async () => {
    const reply = await get('a.test', '/ok');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).service).toBe('web');
  });
});

describe('HTTPS requests', () => {
  it('tells the pod X-Forwarded-Proto https and the HTTPS listener port', async () => {
    const echo = JSON.parse((await get('b.test', '/headers')).body) as { headers: Record<string, string> };
    expect(echo.headers['x-forwarded-proto']).toBe('https');
    expect(echo.headers['x-forwarded-scheme']).toBe('https');
    expect(echo.headers['x-forwarded-port']).toBe(String(httpsPort));
  });

  it('sends HSTS (max-age=31536000; includeSubDomains) for hosts with their own certificate only', async () => {
    expect((await get('a.test', '/')).headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    const onDefault = await new Promise<string | undefined>((resolve, reject) => {
      httpsRequest({ host: '127.0.0.1', port: httpsPort, servername: 'nosecret.test', headers: { host: 'nosecret.test' }, rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.headers['strict-transport-security'] as string | undefined);
      }).on('error', reject).end();
    });
    expect(onDefault).toBeUndefined();
    expect((await send(http, '/', { host: 'nosecret.test' })).headers['strict-transport-security']).toBeUndefined();
  });

  it('refuses TLS 1.1 (and offers 1.3 by default)', async () => {
    // SECLEVEL=0 lets this client offer TLS 1.1 at all; the refusal must come from the server.
    await expect(handshake(httpsPort, 'a.test', { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).rejects.toThrow(/protocol version|no protocols/i);
    expect((await handshake(httpsPort, 'a.test')).protocol).toBe('TLSv1.3');
    expect((await handshake(httpsPort, 'a.test', { maxVersion: 'TLSv1.2' })).protocol).toBe('TLSv1.2');
  });
});

describe('plain HTTP', () => {
  it('redirects a TLS host to HTTPS with 308 (ssl-redirect default), serves other hosts', async () => {
    const reply = await send(http, '/path?q=1', { host: 'a.test' });
    expect(reply.status).toBe(308);
    expect(reply.headers.location).toBe('https://a.test/path?q=1');
    expect((await send(http, '/', { host: 'unlisted.test' })).status).toBe(404);
  });
});

describe('rotation', () => {
  it('an established keep-alive connection keeps working; the next handshake sees the new certificate', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: Object.values(certs).map((c) => c.cert) });
    try {
      const first = await get('a.test', '/before', agent);
      expect(first.peer).toBe(certs.a.fingerprint);
      const generation = gateway.generation;
      await writeManifest(dir, 'secrets.yaml', secretsYaml(certs.rotated));
      await gateway.waitForGeneration(generation);
      const second = await get('a.test', '/after', agent);
      expect(second.status).toBe(200);
      expect(second.reused).toBe(true); // same TLS connection, still on the old certificate
      expect(second.peer).toBe(certs.a.fingerprint);
      expect((await handshake(httpsPort, 'a.test')).fingerprint).toBe(certs.rotated.fingerprint);
    } finally {
      agent.destroy();
    }
  });
});
