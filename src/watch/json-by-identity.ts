// An object's JSON, computed at most once per object. Sources keep the identity of unchanged objects between
// updates and every object is frozen, so the same reference always has the same JSON: whoever compares views
// by content (change-detector.ts, the workers' update deltas) serialises only objects with a new identity.

type Replacer = (key: string, value: unknown) => unknown;

/**
 * One cache per replacer for the whole thread: the route updater's change detector and the workers' update deltas
 * compare the same new objects by the same rule, so each is serialised once, not once by each (with 10 000
 * Ingresses a relist, every object new, cost the primary ≈120–150 ms median apart, ≈50–115 ms shared, and the
 * JSON was held twice).
 */
const shared = new Map<Replacer | undefined, JsonByIdentity>();

export function jsonByIdentity(replacer?: Replacer): JsonByIdentity {
  let cache = shared.get(replacer);
  if (cache === undefined) shared.set(replacer, (cache = new JsonByIdentity(replacer)));
  return cache;
}

export class JsonByIdentity {
  readonly #replacer: Replacer | undefined;
  readonly #json = new WeakMap<object, string>();

  /** `replacer`: JSON.stringify's, for content that does not count (e.g. withoutResourceVersion). */
  constructor(replacer?: Replacer) {
    this.#replacer = replacer;
  }

  of(value: unknown): string {
    if (typeof value !== 'object' || value === null) return JSON.stringify(value, this.#replacer) ?? 'undefined';
    let json = this.#json.get(value);
    if (json === undefined) this.#json.set(value, (json = JSON.stringify(value, this.#replacer)));
    return json;
  }

  /** Equal content: the same reference without a look inside, else equal JSON. */
  equal(a: unknown, b: unknown): boolean {
    return a === b || this.of(a) === this.of(b);
  }
}

/**
 * What counts as a change of a snapshot: everything but resourceVersion. Compile and the endpoint store never read
 * it, and it changes on writes that change nothing they see (Sluice's own Ingress status updates, a relist).
 * The route updater's "recompile?" and the workers' update deltas use this one rule, so they agree.
 */
export function withoutResourceVersion(key: string, value: unknown): unknown {
  return key === 'resourceVersion' ? undefined : value;
}
