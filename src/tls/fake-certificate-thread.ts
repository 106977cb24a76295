// Entry point of the short-lived thread that generates the fake certificate (fake-certificate.ts starts it): as
// ingress-nginx's GetFakeSSLCert (internal/net/ssl/ssl.go), self-signed RSA-2048, CN "Kubernetes Ingress
// Controller Fake Certificate", O "Acme Co", SAN ingress.local, 365 days, serverAuth.
//
// selfsigned ≥5 signs through WebCrypto, so the RSA key is generated natively: measured ≈50–100 ms plus ≈90 ms
// to load the library on start, against seconds for a pure-JS RSA-2048 key generation (node-forge).
import { X509Certificate } from 'node:crypto';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { generate } from 'selfsigned';
import type { IndexedCertificate } from './certificate-index.ts';
import { fakeCertificateCommonName } from './fake-certificate.ts';

async function generateFor(now: Date, port: MessagePort): Promise<void> {
  const pems = await generate(
    [
      { name: 'commonName', value: fakeCertificateCommonName },
      { name: 'organizationName', value: 'Acme Co' },
    ],
    {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: now,
      notAfterDate: new Date(now.getTime() + 365 * 24 * 3600 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'ingress.local' }] },
      ],
    },
  );
  const certificate: IndexedCertificate = { cert: pems.cert, key: pems.private, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
  port.postMessage(certificate);
}

// Runs in the thread fake-certificate.ts starts, whose workerData is the time to date the certificate from; inert
// anywhere else (bin/warm-compile-cache.mjs imports every module of src/).
if (parentPort !== null && typeof workerData === 'number') await generateFor(new Date(workerData), parentPort);
