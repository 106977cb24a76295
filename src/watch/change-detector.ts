// "Did anything change?" for source views (a SourceUpdate, a Snapshot), answered by content but paid for by
// identity. Sources rebuild their view on every change but reuse the normalised object of anything unchanged
// (kube/build-update.ts memoises by the informer's object, the manifest source keeps unchanged files' objects),
// so a field whose objects are the very same references is unchanged without looking inside; only a field with
// a new object is serialised and compared. An EndpointSlice change thus costs the slices' JSON, not that of a
// 10 000-Ingress snapshot (measured in bench/: 50–370 ms per endpoint change when the whole view was serialised).
// A relist (new objects, same content) still compares equal, by content.

type Replacer = (key: string, value: unknown) => unknown;

interface Seen {
  readonly value: unknown;
  readonly json: string;
}

export class ChangeDetector {
  #seen = new Map<string, Seen>();
  readonly #replacer: Replacer | undefined;

  /** `replacer`: JSON.stringify's, for content that does not count (e.g. resourceVersion). */
  constructor(replacer?: Replacer) {
    this.#replacer = replacer;
  }

  /** Whether `view` differs in content from the previous one; remembers `view` for the next call. */
  changed(view: object): boolean {
    const seen = new Map<string, Seen>();
    let changed = false;
    for (const [path, value] of fields(view, '')) {
      const before = this.#seen.get(path);
      const json = before !== undefined && sameReferences(value, before.value) ? before.json : JSON.stringify(value, this.#replacer);
      if (before === undefined || json !== before.json) changed = true;
      seen.set(path, { value, json });
    }
    if (seen.size !== this.#seen.size) changed = true;
    this.#seen = seen;
    return changed;
  }

  /** Forget the previous view: the next one counts as changed (e.g. its compile failed and must be retried). */
  reset(): void {
    this.#seen = new Map();
  }
}

/** The leaves of a view: arrays and scalars, with nested objects (a SourceUpdate's snapshot) flattened. */
function* fields(view: object, prefix: string): Generator<[string, unknown]> {
  for (const [key, value] of Object.entries(view)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) yield* fields(value, `${prefix}${key}.`);
    else yield [prefix + key, value];
  }
}

function sameReferences(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
