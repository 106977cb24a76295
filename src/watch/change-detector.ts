// "Did anything change?" for source views (a SourceUpdate, a Snapshot), answered by content but paid for by
// identity. Sources rebuild their view on every change but reuse the normalised object of anything unchanged
// (kube/build-update.ts memoises by the informer's object, the manifest source keeps unchanged files' objects),
// so an object that is the very same reference is unchanged without looking inside; only objects with a new
// identity are serialised and compared. An EndpointSlice change thus costs that slice's JSON, not that of a
// 10 000-Ingress snapshot (measured in bench/: 50–370 ms per endpoint change when the whole view was serialised).
// A relist (new objects, same content) still compares equal, by content.

import { jsonByIdentity, type JsonByIdentity } from './json-by-identity.ts';

export class ChangeDetector {
  #seen = new Map<string, unknown>();
  /** Each object's JSON, computed at most once (the objects are frozen). */
  readonly #json: JsonByIdentity;

  /** `replacer`: JSON.stringify's, for content that does not count (e.g. resourceVersion). */
  constructor(replacer?: (key: string, value: unknown) => unknown) {
    this.#json = jsonByIdentity(replacer);
  }

  /** Whether `view` differs in content from the previous one; remembers `view` for the next call. */
  changed(view: object): boolean {
    const seen = new Map<string, unknown>();
    let changed = false;
    for (const [path, value] of fields(view, '')) {
      // Once a difference is found the rest is only remembered, not compared.
      if (!changed && (!this.#seen.has(path) || !this.#equal(this.#seen.get(path), value))) changed = true;
      seen.set(path, value);
    }
    if (seen.size !== this.#seen.size) changed = true;
    this.#seen = seen;
    return changed;
  }

  /** Forget the previous view: the next one counts as changed (e.g. its compile failed and must be retried). */
  reset(): void {
    this.#seen = new Map();
  }

  /**
   * Arrays element by element: the same reference is equal without a look inside, a different length is a
   * change without one, and only elements with a new identity are serialised (an edited Ingress: one object).
   */
  #equal(before: unknown, after: unknown): boolean {
    if (before === after) return true;
    if (!Array.isArray(before) || !Array.isArray(after)) return this.#json.equal(before, after);
    if (before.length !== after.length) return false;
    for (let i = 0; i < after.length; i++) {
      if (!this.#json.equal(before[i], after[i])) return false;
    }
    return true;
  }
}

/** The leaves of a view: arrays and scalars, with nested objects (a SourceUpdate's snapshot) flattened. */
function* fields(view: object, prefix: string): Generator<[string, unknown]> {
  for (const [key, value] of Object.entries(view)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) yield* fields(value, `${prefix}${key}.`);
    else yield [prefix + key, value];
  }
}
