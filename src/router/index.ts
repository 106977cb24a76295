// router/: the pure compiler (Snapshot → RouteTable + Diagnostics) and the request normalisation its lookups
// expect. Nothing here does I/O.
export { compile, type CompileResult } from './compile.ts';
export { CompileCache } from './compile-cache.ts';
export { CompiledRouteTable, type CompiledServer } from './table.ts';
export { normalizeHost, normalizeRequestPath } from './normalize.ts';
export { serializeDiagnostics, serializeRoute, serializeTable } from './serialize.ts';
export { ingressClassAnnotation, isOurIngress } from './ingress-class.ts';
export { compareIngresses } from './ingress-order.ts';
