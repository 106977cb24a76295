/** Options that change how Ingresses are selected and compiled (from CLI flags). */
export interface CompileOptions {
  /** `--ingress-class`: the class name Sluice claims (annotation value, and IngressClass name when no object exists). */
  readonly ingressClass: string;
  /** `--controller-class`: IngressClass.spec.controller values Sluice claims. */
  readonly controllerClass: string;
  /** `--watch-ingress-without-class`: also serve Ingresses with neither field nor annotation. */
  readonly watchIngressWithoutClass: boolean;
}

export const defaultCompileOptions: CompileOptions = Object.freeze({
  ingressClass: 'sluice',
  controllerClass: 'sluice.dev/ingress-controller',
  watchIngressWithoutClass: false,
});
