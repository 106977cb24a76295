import { sharedIfEmptyList, type BackendTarget, type CompileOptions, type Diagnostic, type ObjectRef, type RateLimit, type Service } from '../model/index.ts';
import { BackendResolver, type TargetRegistry } from './backend.ts';
import { hasTls, markRegexHost } from './host-modes.ts';
import { attachFallbackFeatures } from './host-routes.ts';
import { addPathRoutes } from './path-routes.ts';
import type { PreparedIngress } from './prepare.ts';
import type { FeatureContext } from './route-features.ts';
import { createServer } from './servers.ts';
import { compileServer, type CompiledServer } from './table.ts';

// One host's server, compiled from the Ingresses that have a rule for it and nothing else: every decision about a
// host (its creator and fallback, regex mode, TLS, path conflicts, features) depends only on those Ingresses, in
// their order, and on the Services they name. That is what lets a compile reuse an unchanged host's result
// (compile-cache.ts) and compile only the hosts a change touches.

/** What compiling one host produced, and what it read. */
export interface CompiledHost {
  readonly server: CompiledServer;
  /** The first Ingress with from-to-www-redirect among the host's routes (for the www servers made afterwards). */
  readonly wwwRedirect: ObjectRef | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** The backend targets the host's routes use (each once). */
  readonly backends: readonly BackendTarget[];
  /** The `namespace/name` of every Service looked up: the result holds while each key finds the same object. */
  readonly reads: readonly string[];
}

// Arrays, not the resolver's Maps: the host index keeps one CompiledHost per host, and a Map of one or two entries
// is ≈180 bytes against ≈50 for the array. With bench/'s 5 000 hosts: ≈1.3 MB per thread, in the primary and in
// each worker. Hosts with no diagnostics share one empty list (model/shared-values.ts). A spread of a Map's
// keys or values is exactly as long as the Map (no spare slots, unlike push: model/compact-list.ts).

/** Shared by every host of one compile. */
export interface HostCompileContext {
  readonly options: CompileOptions;
  /** indexServices() of the snapshot. */
  readonly services: ReadonlyMap<string, Service>;
  /** Targets already made (earlier hosts, the previous table), so one key is one object table-wide. */
  readonly targets: TargetRegistry;
  readonly rateLimits: WeakMap<PreparedIngress, RateLimit>;
}

/**
 * `members`: the Ingresses with a valid rule for `host`, oldest first (for '' also those claiming the catch-all).
 * Stages in the order their decisions depend on each other: the server and its fallback (servers.ts) → host-wide
 * regex mode and TLS (host-modes.ts) → the fallback's annotations → the paths (path-routes.ts).
 */
export function compileHost(host: string, members: readonly PreparedIngress[], ctx: HostCompileContext): CompiledHost {
  const diagnostics: Diagnostic[] = [];
  const resolver = new BackendResolver(ctx.services, diagnostics, ctx.targets);
  const server = createServer(host, members, resolver, diagnostics);
  markRegexHost(server, members);
  const features: FeatureContext = {
    resolver,
    diagnostics,
    hostHasTls: hasTls(host, members),
    prefix: ctx.options.annotationsPrefix,
    fallbacks: new Map(),
    rateLimits: ctx.rateLimits,
  };
  attachFallbackFeatures(server, features);
  addPathRoutes(members, server, { resolver, diagnostics, options: ctx.options, features });
  return {
    server: compileServer(server, ctx.options.pathMatching),
    wwwRedirect: server.wwwRedirect,
    diagnostics: sharedIfEmptyList(diagnostics),
    backends: sharedIfEmptyList([...resolver.backends.values()]),
    reads: sharedIfEmptyList([...resolver.reads.keys()]),
  };
}
