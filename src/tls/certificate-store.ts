// The one stateful piece of tls/: holds the current CertificateIndex, rebuilds it from each Snapshot (a swap,
// never a listener restart) and answers the SNI callback. Established connections keep the context they
// negotiated; only the next handshake sees a new certificate.
import type { SecureContext, Server as TlsServer, TlsOptions } from 'node:tls';
import type { Diagnostic, Snapshot } from '../model/index.ts';
import { CertificateIndex, SecureContextCache, type IndexedCertificate } from './certificate-index.ts';
import { TlsIngresses, planCertificates, type PlanOptions } from './certificate-plan.ts';
import { contextOptionsOf, type TlsSettings } from './tls-settings.ts';

export interface CertificateStoreOptions {
  readonly settings: TlsSettings;
  /** The generated fake certificate, used when --default-ssl-certificate is absent or unusable. */
  readonly fakeCertificate: IndexedCertificate;
  readonly plan: Omit<PlanOptions, 'now' | 'tlsIngresses'>;
  /** Injectable clock for the expiry check. */
  readonly now?: () => Date;
}

export class CertificateStore {
  private index: CertificateIndex;
  private defaultCertificate: IndexedCertificate;
  private readonly cache: SecureContextCache;
  private readonly options: CertificateStoreOptions;
  private readonly servers = new Set<TlsServer>();
  private readonly tlsIngresses = new TlsIngresses();

  constructor(options: CertificateStoreOptions) {
    this.options = options;
    this.cache = new SecureContextCache(contextOptionsOf(options.settings));
    this.index = this.cache.build(new Map(), options.fakeCertificate);
    this.defaultCertificate = options.fakeCertificate;
  }

  /** Plans and installs the certificates of `snapshot`; returns the Secret diagnostics (never key material). */
  update(snapshot: Snapshot): Diagnostic[] {
    const plan = planCertificates(snapshot, { ...this.options.plan, now: (this.options.now ?? (() => new Date()))(), tlsIngresses: this.tlsIngresses });
    const fallback = plan.defaultCertificate ?? this.options.fakeCertificate;
    this.index = this.cache.build(plan.hosts, fallback);
    if (fallback.fingerprint !== this.defaultCertificate.fingerprint) {
      this.defaultCertificate = fallback;
      // Handshakes without SNI never reach the SNI callback: they use the server's own context.
      for (const server of this.servers) server.setSecureContext(this.serverContextOptions(fallback));
    }
    return [...plan.diagnostics];
  }

  /** Options for a TLS server: the default certificate for handshakes without SNI, the callback for the rest. */
  serverOptions(): TlsOptions {
    return {
      ...this.serverContextOptions(this.defaultCertificate),
      SNICallback: (servername: string, callback: (error: Error | null, context?: SecureContext) => void) =>
        callback(null, this.index.contextFor(servername)),
    };
  }

  /** Keeps `server`'s no-SNI context in step with the default certificate. */
  attach(server: TlsServer): void {
    this.servers.add(server);
  }

  /**
   * True when `host` is served with a certificate of its own (not the default). Only those get HSTS, as
   * ingress-nginx's lua_ingress.lua header() checks certificate_configured_for_current_request().
   */
  hasOwnCertificate(host: string): boolean {
    return this.index.certificateFor(host) !== null;
  }

  private serverContextOptions(certificate: IndexedCertificate): TlsOptions {
    return { ...contextOptionsOf(this.options.settings), cert: certificate.cert, key: certificate.key };
  }
}
