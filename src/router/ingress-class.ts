import type { CompileOptions, Ingress, IngressClass } from '../model/index.ts';

/** The pre-IngressClass annotation, still honoured (Kubernetes docs: controllers "should still honor" it). */
export const ingressClassAnnotation = 'kubernetes.io/ingress.class';

/**
 * Whether this controller serves the Ingress, in ingress-nginx's order (store.go GetIngressClass):
 *
 * 1. `spec.ingressClassName` set → it decides alone (the annotation is not consulted):
 *    - an IngressClass object of that name exists → ours iff its spec.controller is `options.controllerClass`.
 *      An object naming another controller means the class belongs to someone else, so the Ingress is not ours
 *      even when the name equals `options.ingressClass` (ingress-nginx's informer never sees such classes).
 *    - no such object → ours iff the name equals `options.ingressClass`. ingress-nginx would ignore it; we
 *      accept it so that plain manifest files work without an IngressClass object (issue 2).
 * 2. else the `kubernetes.io/ingress.class` annotation, when present (even empty), must equal
 *    `options.ingressClass`.
 * 3. else ours only with `options.watchIngressWithoutClass`.
 *
 * Ingresses that are not ours are skipped silently: they belong to another controller, not to a mistake.
 */
export function isOurIngress(
  ingress: Ingress,
  classesByName: ReadonlyMap<string, IngressClass>,
  options: CompileOptions,
): boolean {
  const className = ingress.spec.ingressClassName;
  // '' cannot be a valid object name (the API server rejects it), so it counts as "not set".
  if (className !== undefined && className !== '') {
    const ingressClass = classesByName.get(className);
    if (ingressClass !== undefined) return ingressClass.spec.controller === options.controllerClass;
    return className === options.ingressClass;
  }
  const annotations = ingress.metadata.annotations;
  if (Object.hasOwn(annotations, ingressClassAnnotation)) {
    return annotations[ingressClassAnnotation] === options.ingressClass;
  }
  return options.watchIngressWithoutClass;
}
