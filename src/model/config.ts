import type { GlobalSettings, SettingValues } from './route-table.ts';

/** Options that change how Ingresses are selected and compiled (from CLI flags). */
export interface CompileOptions {
  /** `--ingress-class`: the class name Sluice claims (annotation value, and IngressClass name when no object exists). */
  readonly ingressClass: string;
  /** `--controller-class`: IngressClass.spec.controller values Sluice claims. */
  readonly controllerClass: string;
  /** `--watch-ingress-without-class`: also serve Ingresses with neither field nor annotation. */
  readonly watchIngressWithoutClass: boolean;
  /** `--annotations-prefix`: the annotation prefix read (ingress-nginx's flag of the same name). */
  readonly annotationsPrefix: string;
  /**
   * `--path-matching`: 'nginx' reproduces ingress-nginx (host-wide regex mode, trailing-slash 301s); 'spec' keeps
   * the Kubernetes semantics of Exact and Prefix everywhere (regex only for ImplementationSpecific paths).
   */
  readonly pathMatching: PathMatching;
  /** The global settings when the ConfigMap does not set them (the CLI flags; see GlobalSettings). */
  readonly settings: SettingValues;
}

export type PathMatching = 'nginx' | 'spec';

/**
 * ingress-nginx's ConfigMap defaults (internal/ingress/controller/config/config.go), which are also the CLI flags'
 * defaults: proxy-connect-timeout 5, proxy-read-timeout 60, proxy-send-timeout 60, proxy-body-size 1m, limit-*-status-code 503, hsts on
 * with max-age 31536000 and includeSubDomains, no preload, access log on.
 */
export const defaultGlobalSettings: GlobalSettings = Object.freeze({
  proxyConnectTimeoutMs: 5_000,
  proxyReadTimeoutMs: 60_000,
  proxySendTimeoutMs: 60_000,
  proxyBodySize: 1024 * 1024,
  limitReqStatusCode: 503,
  limitConnStatusCode: 503,
  hsts: true,
  hstsMaxAge: 31_536_000,
  hstsIncludeSubdomains: true,
  hstsPreload: false,
  strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  disableAccessLog: false,
});

export const defaultCompileOptions: CompileOptions = Object.freeze({
  ingressClass: 'sluice',
  controllerClass: 'sluice.dev/ingress-controller',
  watchIngressWithoutClass: false,
  annotationsPrefix: 'nginx.ingress.kubernetes.io',
  pathMatching: 'nginx',
  settings: defaultGlobalSettings,
});
