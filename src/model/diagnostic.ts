import type { ObjectRef } from './objects.ts';

// The closed catalogue of problems Sluice reports about user input. Codes are stable: they appear in logs, in
// Kubernetes Events (as the Event reason) and in golden files. Add a code here rather than reusing a loose one.

/** Problems found while reading objects (manifest files, API payloads). */
export const sourceReasons = [
  'ManifestUnreadable', // the file could not be read
  'ManifestParseError', // YAML syntax error in a file; the file's last good objects keep serving
  'InvalidObject', // an object of a kind we read is missing required fields or has wrong types
  'DuplicateObject', // the same kind/namespace/name appears twice; the first one read wins
] as const;

/** Problems found by compile() in an object's content. */
export const compileReasons = [
  'InvalidHost', // rules[].host is not a DNS-1123 subdomain or single-label wildcard
  'InvalidPath', // path fails API-server validation for its pathType
  'UnsupportedBackend', // resource backends, ExternalName Services: not served yet
  'ServiceNotFound', // backend names a Service that does not exist; its routes answer 503
  'ServicePortNotFound', // the Service has no port matching the backend; its routes answer 503
  'PathConflict', // same host+path+pathType in two Ingresses; the older wins, the other is reported
  'DefaultBackendIgnored', // spec.defaultBackend not used because an older Ingress already provides it
  'InvalidBackend', // a backend names neither a service nor a resource, or its service port has no number/name
  // Annotations (router/annotations), in ingress-nginx's error classes (annotations.go Extract):
  'AnnotationInvalid', // a value fails ingress-nginx's validator: the whole Ingress is not served
  'AnnotationIgnored', // a value ingress-nginx warns about and ignores: the default applies
  'AnnotationDenied', // a value ingress-nginx accepts but Sluice cannot honour safely: the Ingress's paths answer 503
  'AnnotationNotSupported', // a known ingress-nginx annotation Sluice does not implement yet: ignored
  'AnnotationNeverSupported', // snippets and other raw nginx configuration: never executed, ignored
  'AnnotationUnknown', // not an ingress-nginx annotation (typo?): ignored
  // Regex paths (router/regex):
  'RegexUnsupported', // a regex path uses a construct that cannot be reproduced or bounded: the path is skipped
  'RegexPathType', // an Exact/Prefix path with regex characters (recent ingress-nginx rejects it)
  'RewriteCaptureMissing', // rewrite-target names a capture group the path does not have: it becomes ''
] as const;

/** Problems with the certificates named in spec.tls (src/tls); the host then gets the default certificate. */
export const tlsReasons = [
  'SecretNotFound', // spec.tls[].secretName (or --default-ssl-certificate) names a Secret that does not exist
  'SecretInvalid', // wrong type, missing tls.crt/tls.key, or PEM that does not parse as a certificate and key
  'CertificateKeyMismatch', // tls.key is not the private key of the first (leaf) certificate in tls.crt
  'CertificateExpired', // the leaf certificate is past its notAfter (or before its notBefore)
  'CertificateHostMismatch', // no subjectAltName DNS entry of the leaf covers a host listed in spec.tls[].hosts
] as const;

/** Problems in the global ConfigMap (`--configmap`), found by compile's settings resolution (router/settings). */
export const settingsReasons = [
  'ConfigMapValueInvalid', // a value fails its key's syntax: reported, and the key's previous effective value kept
  'ConfigMapKeyNotSupported', // an ingress-nginx key Sluice does not implement (or no ingress-nginx key at all): ignored
  'ConfigMapKeyNeverSupported', // snippets and other raw nginx configuration or code: refused, never executed
] as const;

export type DiagnosticReason =
  | (typeof sourceReasons)[number]
  | (typeof compileReasons)[number]
  | (typeof tlsReasons)[number]
  | (typeof settingsReasons)[number];

export type Severity = 'Error' | 'Warning' | 'Info';

export interface Diagnostic {
  readonly severity: Severity;
  readonly reason: DiagnosticReason;
  /** The object concerned; absent only for source problems that precede any object (unparsable file). */
  readonly object?: ObjectRef;
  /** Dotted/indexed field path within the object, e.g. `spec.rules[0].http.paths[1].path`; '' for the whole object. */
  readonly field: string;
  /** For source problems: the file and 0-based YAML document index. */
  readonly source?: { readonly file: string; readonly document?: number };
  /** One line, human readable; never contains Secret material. */
  readonly message: string;
}
