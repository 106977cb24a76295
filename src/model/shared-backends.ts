// One frozen IngressBackend object per distinct Service backend, shared by every path that names it. Real tables
// point many paths at few Services (bench/'s 10k table: 20 000 paths, 1 000 Services), and each path carried
// its own three objects ({service: {name, port: {number}}}), ≈2 MB in every thread that holds the snapshot.
// Both ends of the update transport share them: the sources when they normalise an Ingress (the primary), and the
// worker when it decodes the primary's JSON or a delta (shared-values.ts: JSON and structured clone copy objects).
//
// Entries are weak: a backend no path holds any more is collected, and its entry goes with it, so a long-lived
// process that sees Services come and go keeps only the live ones.
import type { IngressBackend, IngressServiceBackend } from './objects.ts';

const byKey = new Map<string, WeakRef<IngressBackend>>();
const cleanup = new FinalizationRegistry<string>((key) => {
  if (byKey.get(key)?.deref() === undefined) byKey.delete(key);
});

/** The shared, frozen backend equal to `backend`; a resource backend (rare) is returned frozen as it is. */
export function sharedBackend(backend: IngressBackend): IngressBackend {
  const service = backend.service;
  if (service === undefined || backend.resource !== undefined) return Object.freeze(backend);
  const key = keyOf(service);
  const known = byKey.get(key)?.deref();
  if (known !== undefined) return known;
  const port = service.port.number !== undefined ? { number: service.port.number } : { name: service.port.name! };
  const shared = Object.freeze({ service: Object.freeze({ name: service.name, port: Object.freeze(port) }) });
  byKey.set(key, new WeakRef(shared));
  cleanup.register(shared, key);
  return shared;
}

function keyOf(service: IngressServiceBackend): string {
  // NUL cannot occur in a Service name or a port name (DNS labels), so the key is unambiguous.
  return service.port.number !== undefined ? `${service.name}\0#${service.port.number}` : `${service.name}\0${service.port.name}`;
}
