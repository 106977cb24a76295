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
}

export type PathMatching = 'nginx' | 'spec';

export const defaultCompileOptions: CompileOptions = Object.freeze({
  ingressClass: 'sluice',
  controllerClass: 'sluice.dev/ingress-controller',
  watchIngressWithoutClass: false,
  annotationsPrefix: 'nginx.ingress.kubernetes.io',
  pathMatching: 'nginx',
});
