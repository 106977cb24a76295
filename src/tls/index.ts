// tls/: certificates for the HTTPS listener. Pure parts (readTlsSecret, planCertificates) decide which
// certificate each host gets from the Snapshot; CertificateStore holds the current index for the SNI callback.
export { CertificateStore, type CertificateStoreOptions } from './certificate-store.ts';
export type { IndexedCertificate } from './certificate-index.ts';
export { generateFakeCertificate, fakeCertificateCommonName } from './fake-certificate.ts';
export { TlsIngresses, planCertificates, type CertificatePlan, type PlanOptions } from './certificate-plan.ts';
export { readTlsSecret, type TlsCertificate } from './tls-secret.ts';
export { defaultCiphers, defaultTlsSettings, tlsProtocols, type TlsProtocol, type TlsSettings } from './tls-settings.ts';
