// Listener-wide TLS settings (flags --ssl-protocols, --ssl-ciphers), with ingress-nginx's defaults.
import type { SecureContextOptions, SecureVersion } from 'node:tls';

export type TlsProtocol = 'TLSv1.2' | 'TLSv1.3';
export const tlsProtocols: readonly TlsProtocol[] = ['TLSv1.2', 'TLSv1.3'];

export interface TlsSettings {
  /** ingress-nginx ssl-protocols: "TLSv1.2 TLSv1.3". Older versions are not offered at all (RFC 8996). */
  readonly protocols: readonly TlsProtocol[];
  /** OpenSSL cipher string; TLS 1.3 suites may be listed by their TLS_* names. */
  readonly ciphers: string;
}

/**
 * The TLS 1.3 suites, then ingress-nginx's ssl-ciphers default (Mozilla "intermediate"): forward-secret AEAD
 * only. DHE suites are left out because no DH parameters are configured (they would never be chosen).
 */
export const defaultCiphers = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export const defaultTlsSettings: TlsSettings = Object.freeze({ protocols: tlsProtocols, ciphers: defaultCiphers });

/** Context options for every certificate: protocol range and ciphers, server cipher order (ssl-prefer-server-ciphers). */
export function contextOptionsOf(settings: TlsSettings): SecureContextOptions {
  const versions = [...settings.protocols].sort() as SecureVersion[];
  return {
    minVersion: versions[0] ?? 'TLSv1.2',
    maxVersion: versions.at(-1) ?? 'TLSv1.3',
    ciphers: settings.ciphers,
    honorCipherOrder: true,
  };
}
