import type { CompileOptions, RateLimit, Service } from '../model/index.ts';
import { indexServices } from './backend.ts';
import { HostIndex } from './host-index.ts';
import { IngressSet } from './ingress-set.ts';
import type { PreparedIngress } from './prepare.ts';
import { noHostServers, withHostServers, type CompiledServer, type HostServers } from './table.ts';

// What a compile keeps for the next one, so that a change costs what it touches rather than the whole table.
// Sources keep the identity of every object that did not change (watch/change-detector.ts), so identity is the
// key: an unchanged Ingress is not prepared again (ingress-set.ts), and only the hosts of Ingresses that came or
// went, or that read a Service that changed, are compiled again (host-index.ts). Measured with bench/'s
// 10 000-Ingress table (5 000 hosts, 1 000 Services), one Ingress edited: compile 200–250 ms cold; warm, in the
// bench process 1–3 ms, in a worker thread (whose whole update, certificates included, is timed) 4–5 ms; served
// 11 ms median after the source's update, 43 ms for the first change after start (bench/RESULTS.md). What was
// left proportional to the table went next (one thread, warm, 1.7 → 0.26 ms): copying 5 000 hosts into the new
// table's Maps (≈0.75 ms, now layered: table.ts), indexing and comparing 1 000 Services (≈0.55 ms, now kept while
// the list is the same array) and copying 1 000 backend targets twice (≈0.25 ms, now reused while unchanged).
//
// The cache never changes a result, only its cost: compile(snapshot, options, previous, cache) equals
// compile(snapshot, options, previous) whatever the cache holds (test/router/compile-cache.test.ts checks it over
// random edit sequences). It holds one CompileOptions object's state; other options start it afresh.

export class CompileCache {
  #options: CompileOptions | undefined;
  #ingresses: IngressSet | undefined;
  #hosts = new HostIndex();
  #rateLimits = new WeakMap<PreparedIngress, RateLimit>();
  #services: { readonly list: readonly object[]; readonly index: ReadonlyMap<string, Service> } | undefined;
  /** The last table's servers by host, and which of them were www servers (compile.ts makes those after the hosts). */
  #servers: HostServers = noHostServers;
  #www: ReadonlyMap<string, CompiledServer> = new Map();

  /** Starts a compile with `options`; forgets everything if they are not the previous compile's. */
  begin(options: CompileOptions): { ingresses: IngressSet; hosts: HostIndex } {
    if (options !== this.#options || this.#ingresses === undefined) {
      this.#options = options;
      this.#ingresses = new IngressSet(options);
      this.#hosts = new HostIndex();
      this.#rateLimits = new WeakMap();
      this.#services = undefined;
      this.#servers = noHostServers;
      this.#www = new Map();
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
   * The snapshot's Services by namespace/name: the previous compile's index while the list is the same array
   * (sources keep an unchanged list's identity; an Ingress edit changes no Service), which also tells the host
   * index that no Service changed. Rebuilding it and comparing 1 000 Services was ≈0.55 ms of a ≈1.7 ms
   * one-Ingress compile with bench/'s 10 000-Ingress table.
   */
  servicesIndex(services: readonly Service[]): ReadonlyMap<string, Service> {
    if (this.#services?.list !== services) this.#services = { list: services, index: indexServices(services) };
    return this.#services.index;
  }

  /**
   * The servers of the table this compile makes: the previous table's, with the hosts `changed` by the host
   * index's sync and the www servers (`www`, made anew by every compile) replaced.
   */
  hostServers(hosts: HostIndex, changed: Iterable<string>, www: ReadonlyMap<string, CompiledServer>): HostServers {
    const changes = new Map<string, CompiledServer | undefined>();
    for (const host of [...changed, ...this.#www.keys(), ...www.keys()]) changes.set(host, www.get(host) ?? hosts.serverOf(host));
    this.#servers = withHostServers(this.#servers, changes);
    this.#www = www;
    return this.#servers;
  }
}
