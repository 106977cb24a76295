import type { BackendTarget, CompileOptions, RateLimit } from '../model/index.ts';
import { HostIndex } from './host-index.ts';
import { IngressSet } from './ingress-set.ts';
import type { PreparedIngress } from './prepare.ts';

// What a compile keeps for the next one, so that a change costs what it touches rather than the whole table.
// Sources keep the identity of every object that did not change (watch/change-detector.ts), so identity is the
// key: an unchanged Ingress is not prepared again (ingress-set.ts), and only the hosts of Ingresses that came or
// went, or that read a Service that changed, are compiled again (host-index.ts). Measured with bench/'s
// 10 000-Ingress table (5 000 hosts, 1 000 Services), one Ingress edited: compile 200–250 ms cold; warm, in the
// bench process 1–3 ms, in a worker thread (whose whole update, certificates included, is timed) 4–5 ms; served
// 11 ms median after the source's update, 43 ms for the first change after start (bench/RESULTS.md).
//
// The cache never changes a result, only its cost: compile(snapshot, options, previous, cache) equals
// compile(snapshot, options, previous) whatever the cache holds (test/router/compile-cache.test.ts checks it over
// random edit sequences). It holds one CompileOptions object's state; other options start it afresh.

export class CompileCache {
  #options: CompileOptions | undefined;
  #ingresses: IngressSet | undefined;
  #hosts = new HostIndex();
  #rateLimits = new WeakMap<PreparedIngress, RateLimit>();

  /** Starts a compile with `options`; forgets everything if they are not the previous compile's. */
  begin(options: CompileOptions): { ingresses: IngressSet; hosts: HostIndex } {
    if (options !== this.#options || this.#ingresses === undefined) {
      this.#options = options;
      this.#ingresses = new IngressSet(options);
      this.#hosts = new HostIndex();
      this.#rateLimits = new WeakMap();
    }
    return { ingresses: this.#ingresses, hosts: this.#hosts };
  }

  /** Forgets everything: the next compile starts from nothing. */
  clear(): void {
    this.#options = undefined;
  }

  /** Hosts compiled (not reused) by the last compile. */
  get compiledHosts(): number {
    return this.#hosts.compiledHosts;
  }

  /** limit-* annotations per Ingress: they depend on the Ingress alone, so they outlive a compile. */
  get rateLimits(): WeakMap<PreparedIngress, RateLimit> {
    return this.#rateLimits;
  }

  /**
   * The previous table's targets (the hosts' own, before this compile changes any), which this compile's
   * resolvers reuse and extend: one object per backend key across the table, and across tables while the
   * Service port is unchanged.
   */
  knownTargets(): Map<string, BackendTarget> {
    return this.#hosts.backends();
  }
}
