import type {
  BackendTarget,
  Diagnostic,
  DiagnosticReason,
  IngressBackend,
  IngressServiceBackend,
  ObjectRef,
  RouteAction,
  Service,
  ServicePort,
} from '../model/index.ts';
import { diagnose } from './diagnostics.ts';
import { joined } from './joined.ts';

/** Targets made so far, shared by every resolver of a compile (host-index.ts: knownTargets). */
export interface TargetRegistry {
  get(key: string): BackendTarget | undefined;
  set(key: string, target: BackendTarget): void;
}

/**
 * Resolves Ingress backends to Service ports, once per compile. A backend that does not resolve still yields a
 * route (503 `unavailable`): removing the route would let its traffic fall through to a broader rule or another
 * Ingress's default backend, which is both surprising and, for a path meant to be protected, unsafe.
 *
 * Endpoints are deliberately not consulted: they change far more often than routes and are read by the proxy's
 * endpoint store at request time.
 */
export class BackendResolver {
  /** Every target this resolver resolved, keyed `namespace/service:port`; one object per key so routes share it. */
  readonly backends = new Map<string, BackendTarget>();
  /**
   * Every Service looked up, with what was found (undefined: absent). A host compiled with this resolver stays
   * valid while each of these keys still finds the very same object (compile-cache.ts).
   */
  readonly reads = new Map<string, Service | undefined>();
  readonly #services: ReadonlyMap<string, Service>;
  /** Targets made earlier (other hosts of this compile, the previous table): reused while their port is unchanged. */
  readonly #known: TargetRegistry;
  readonly #diagnostics: Diagnostic[];

  /** `services`: indexServices() of the snapshot; `known`: shared by every resolver of a compile. */
  constructor(services: ReadonlyMap<string, Service>, diagnostics: Diagnostic[], known: TargetRegistry = new Map()) {
    this.#services = services;
    this.#known = known;
    this.#diagnostics = diagnostics;
  }

  /** `field` is the backend's path, e.g. `spec.rules[0].http.paths[1].backend` or `spec.defaultBackend`. */
  resolve(ingress: ObjectRef, backend: IngressBackend, field: string): RouteAction {
    if (backend.service !== undefined) {
      return this.#resolveService(ingress, backend.service, `${field}.service`);
    }
    if (backend.resource !== undefined) {
      const { kind, name } = backend.resource;
      const message = `resource backends (${kind} ${name}) are not supported; the route answers 503`;
      return this.#fail(ingress, 'UnsupportedBackend', `${field}.resource`, message);
    }
    const message = 'backend must name a service or a resource; the route answers 503';
    return this.#fail(ingress, 'InvalidBackend', field, message);
  }

  #resolveService(ingress: ObjectRef, backend: IngressServiceBackend, field: string): RouteAction {
    const { number, name } = backend.port;
    const byName = name !== undefined && name !== '';
    if (backend.name === '' || byName === (number !== undefined)) {
      const message = 'service backend needs a name and exactly one of port.number or port.name; the route answers 503';
      return this.#fail(ingress, 'InvalidBackend', field, message);
    }
    const serviceRef = `Service ${ingress.namespace}/${backend.name}`;
    const service = this.#service(joined(ingress.namespace, '/', backend.name));
    if (service === undefined) {
      return this.#fail(ingress, 'ServiceNotFound', `${field}.name`, `${serviceRef} not found; the route answers 503`);
    }
    if (service.spec.type === 'ExternalName') {
      const message = `${serviceRef} is of type ExternalName, which is not supported yet; the route answers 503`;
      return this.#fail(ingress, 'UnsupportedBackend', `${field}.name`, message);
    }
    const portField = byName ? `${field}.port.name` : `${field}.port.number`;
    const wanted = byName ? `port named ${JSON.stringify(name)}` : `port ${number}`;
    const matching = service.spec.ports.filter((port) => (byName ? port.name === name : port.port === number));
    // Only TCP ports can carry HTTP; ingress-nginx also only takes the Service's TCP ports.
    const servicePort = matching.find((port) => port.protocol === 'TCP');
    if (servicePort === undefined) {
      const why = matching.length > 0 ? `has ${wanted} only for ${matching[0]!.protocol}, not TCP` : `has no ${wanted}`;
      return this.#fail(ingress, 'ServicePortNotFound', portField, `${serviceRef} ${why}; the route answers 503`);
    }
    return forwardTo(this.#target(ingress.namespace, backend.name, servicePort));
  }

  /**
   * The default-backend annotation's Service: ingress-nginx takes its first port (controller.go getBackendServers
   * `location.DefaultBackend.Spec.Ports[0]`). undefined when the Service does not exist, is an ExternalName or has
   * no port; the caller reports it (ingress-nginx only logs it and serves without the fallback).
   */
  firstPort(namespace: string, name: string): BackendTarget | undefined {
    const service = this.#service(joined(namespace, '/', name));
    const port = service?.spec.ports[0];
    if (service === undefined || service.spec.type === 'ExternalName' || port === undefined) return undefined;
    return this.#target(namespace, name, port);
  }

  #service(key: string): Service | undefined {
    const service = this.#services.get(key);
    this.reads.set(key, service);
    return service;
  }

  #target(namespace: string, service: string, servicePort: ServicePort): BackendTarget {
    // Keyed by the ServicePort's own identity, so `port.number: 80` and `port.name: http` on the same port share
    // one target (one endpoint set, one connection pool).
    const key = joined(namespace, '/', service, ':', servicePort.name !== '' ? servicePort.name : servicePort.port);
    let target = this.backends.get(key);
    if (target !== undefined) return target;
    target = this.#known.get(key);
    if (target === undefined || !samePort(target.servicePort, servicePort)) {
      target = Object.freeze({ key, namespace, service, servicePort: Object.freeze({ ...servicePort }) });
      this.#known.set(key, target);
    }
    this.backends.set(key, target);
    return target;
  }

  #fail(ingress: ObjectRef, reason: DiagnosticReason, field: string, message: string): RouteAction {
    this.#diagnostics.push(diagnose(ingress, reason, field, message));
    return unavailable(reason);
  }
}

// Route actions are frozen values (makeRoute freezes them), so every route to one target, or failing for one
// reason, shares one object: with bench/'s 10 000-Ingress table, 20 000 `{ kind, backend }` objects were ≈0.8 MB
// per thread, in the primary and in each worker. Keyed by the target's identity: a target made anew (its port
// changed) gets a new action, and the old one goes with the old target.
const forwards = new WeakMap<BackendTarget, RouteAction>();
const unavailables = new Map<DiagnosticReason, RouteAction>();

/** The one frozen `forward` action for `target`. */
export function forwardTo(target: BackendTarget): RouteAction {
  let action = forwards.get(target);
  if (action === undefined) forwards.set(target, (action = Object.freeze({ kind: 'forward', backend: target })));
  return action;
}

/** The one frozen 503 action for `reason`. */
export function unavailable(reason: DiagnosticReason): RouteAction {
  let action = unavailables.get(reason);
  if (action === undefined) unavailables.set(reason, (action = Object.freeze({ kind: 'unavailable', status: 503, reason })));
  return action;
}

/** The snapshot's Services by `namespace/name` (the first of duplicates wins), built once per compile. */
export function indexServices(services: readonly Service[]): Map<string, Service> {
  const index = new Map<string, Service>();
  for (const service of services) {
    const key = joined(service.metadata.namespace, '/', service.metadata.name);
    if (!index.has(key)) index.set(key, service);
  }
  return index;
}

function samePort(a: ServicePort, b: ServicePort): boolean {
  const keys = Object.keys(b) as (keyof ServicePort)[];
  return Object.keys(a).length === keys.length && keys.every((key) => a[key] === b[key]);
}
