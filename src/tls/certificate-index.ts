// The immutable certificate index the SNI callback reads: exact server names, then single-label wildcards,
// then the default certificate. A new index is built for every plan and swapped in whole (CertificateStore),
// so a handshake never sees half of an update.
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { normalizeServerName, wildcardOf } from './host-names.ts';

/** PEM certificate chain and key. Key material: never log. */
export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

export interface IndexedCertificate extends PemPair {
  /** Identifies the certificate (SHA-256 of the leaf); contexts are reused across indexes by it. */
  readonly fingerprint: string;
}

export class CertificateIndex {
  private readonly exact: ReadonlyMap<string, SecureContext>;
  readonly defaultContext: SecureContext;

  constructor(exact: ReadonlyMap<string, SecureContext>, defaultContext: SecureContext) {
    this.exact = exact;
    this.defaultContext = defaultContext;
  }

  /** The context a handshake with this SNI server name gets. Wildcard keys (`*.a.com`) live in the same map. */
  contextFor(servername: string): SecureContext {
    return this.certificateFor(servername) ?? this.defaultContext;
  }

  /** The host's own certificate (exact, then wildcard); null when it would get the default one. */
  certificateFor(servername: string): SecureContext | null {
    const name = normalizeServerName(servername);
    const exact = this.exact.get(name);
    if (exact !== undefined) return exact;
    const wildcard = wildcardOf(name);
    return (wildcard === null ? undefined : this.exact.get(wildcard)) ?? null;
  }
}

/**
 * Builds SecureContexts, reusing the previous index's contexts for unchanged certificates: parsing a chain and
 * key costs about a millisecond each, and most rebuilds (any Ingress or Service change) change no certificate.
 */
export class SecureContextCache {
  private contexts = new Map<string, SecureContext>();
  private readonly options: SecureContextOptions;

  /** `options`: protocol versions and ciphers applied to every context (the SNI-chosen one governs the handshake). */
  constructor(options: SecureContextOptions) {
    this.options = options;
  }

  /** Builds the index for `hosts` (host → certificate) and `fallback`; forgets contexts no longer used. */
  build(hosts: ReadonlyMap<string, IndexedCertificate>, fallback: IndexedCertificate): CertificateIndex {
    const next = new Map<string, SecureContext>();
    const contextOf = (certificate: IndexedCertificate): SecureContext => {
      let context = next.get(certificate.fingerprint) ?? this.contexts.get(certificate.fingerprint);
      if (context === undefined) context = createSecureContext({ ...this.options, cert: certificate.cert, key: certificate.key });
      next.set(certificate.fingerprint, context);
      return context;
    };
    const exact = new Map<string, SecureContext>();
    for (const [host, certificate] of hosts) exact.set(host, contextOf(certificate));
    const index = new CertificateIndex(exact, contextOf(fallback));
    this.contexts = next;
    return index;
  }
}
