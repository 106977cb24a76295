// The fake certificate (ingress-nginx's GetFakeSSLCert), generated in a thread of its own that ends when done.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fakeCertificateCommonName, generateFakeCertificate } from '../../src/tls/fake-certificate.ts';

describe('generateFakeCertificate', () => {
  it('is ingress-nginx\'s: self-signed RSA-2048, its subject, SAN ingress.local, valid 365 days from now, serverAuth', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const generated = await generateFakeCertificate(now);
    const cert = new X509Certificate(generated.cert);
    expect(cert.subject).toBe(`CN=${fakeCertificateCommonName}\nO=Acme Co`);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.subjectAltName).toBe('DNS:ingress.local');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(cert.validFrom).getTime()).toBe(now.getTime());
    expect(new Date(cert.validTo).getTime() - now.getTime()).toBe(365 * 24 * 3600 * 1000);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.checkPrivateKey(createPrivateKey(generated.key))).toBe(true);
    expect(generated.fingerprint).toBe(cert.fingerprint256);
  });

  it('generates a new key each time', async () => {
    const [a, b] = await Promise.all([generateFakeCertificate(), generateFakeCertificate()]);
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });
});
