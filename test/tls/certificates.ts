// Test certificates, generated at test time (no private key is ever committed), and the TLS client helpers the
// HTTPS tests share. EC P-256 keys: generation takes about a millisecond.
import { X509Certificate } from 'node:crypto';
import { connect, type PeerCertificate, type SecureVersion } from 'node:tls';
import { generate } from 'selfsigned';

export interface TestCertificate {
  readonly cert: string;
  readonly key: string;
  readonly fingerprint: string;
}

export async function makeCertificate(
  names: readonly string[],
  validity: { notBefore?: Date; notAfter?: Date } = {},
): Promise<TestCertificate> {
  const pems = await generate([{ name: 'commonName', value: names[0] ?? 'test' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...(validity.notBefore ? { notBeforeDate: validity.notBefore } : {}),
    ...(validity.notAfter ? { notAfterDate: validity.notAfter } : {}),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2 as const, value })) },
    ],
  });
  return { cert: pems.cert, key: pems.private, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}

/** A kubernetes.io/tls Secret as a user writes it (raw YAML object). */
export function tlsSecret(name: string, pair: { cert: string; key: string }, type = 'kubernetes.io/tls', namespace = 'default') {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type,
    data: { 'tls.crt': Buffer.from(pair.cert).toString('base64'), 'tls.key': Buffer.from(pair.key).toString('base64') },
  };
}

export interface Handshake {
  readonly fingerprint: string;
  readonly subject: PeerCertificate['subject'];
  readonly protocol: string | null;
  readonly alpn: string | false | null;
}

/** One TLS handshake (no HTTP): which certificate the server chose for this SNI (undefined: no SNI sent). */
export function handshake(
  port: number,
  servername: string | undefined,
  options: { minVersion?: SecureVersion; maxVersion?: SecureVersion; ciphers?: string; ALPNProtocols?: string[] } = {},
): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(servername ? { servername } : {}), ...options }, () => {
      const peer = socket.getPeerCertificate();
      resolve({ fingerprint: peer.fingerprint256, subject: peer.subject, protocol: socket.getProtocol(), alpn: socket.alpnProtocol });
      socket.end();
    });
    socket.on('error', reject);
  });
}
