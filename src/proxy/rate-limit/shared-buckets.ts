// The per-node rate-limit memory, shared by every worker thread of the node the way nginx's limit_req and
// limit_conn zones live in shared memory used by all its workers: one SharedArrayBuffer, handed by the primary
// to each worker (src/workers/), read and written under a lock per set.
//
// Layout: a set-associative table. A client's entries (one per zone it has used) all live in the set chosen by
// a hash of its key, so one lock covers every zone of one request: "all limits must admit before any is charged"
// (nginx's account step) stays atomic across threads without ever holding two locks (no lock-order deadlock).
// Each set is 320 bytes: its lock alone on a 64-byte cache line (locks of neighbouring sets never share a line),
// then 8 slots of 32 bytes. When a set is full, an idle-and-drained entry (nginx's expiry rule) or else the
// least recently used one is replaced, as nginx drops its LRU node when a zone is full.
//
// Departure from nginx, documented in docs/architecture.md: nginx bounds each zone separately (ingress-nginx:
// 5 MB ≈ 40 000 clients per Ingress); here all zones share one fixed table (default 262 144 entries, 10 MiB),
// so a flood of distinct addresses against one Ingress can push other Ingresses' least recently used clients
// out — which, as in nginx when a zone is full, only makes them fresh (burst + 1) again.
import type { RequestRateLimit } from '../../model/index.ts';
import { admitExcess, commit, isExpired, msUntilAdmitted, type BucketState } from './leaky-bucket.ts';

const slotsPerSet = 8;
const int32sPerSet = 80; // 320 bytes: 16 for the lock's cache line, 8 per slot
const lockInt32s = 16;
const int32sPerSlot = 8;
// Slot fields (Int32 offsets within the slot); `last` is a Float64 at byte 24 of the slot.
const zoneField = 0;
const keyField = 1;
const excessField = 2; // limit_req: excess in milli-requests; limit_conn: requests in progress
const rateField = 3;
const kindField = 4;
const emptyKind = 0;
const rateKind = 1;
const connectionKind = 2;

// Hash seeds: the set index and the identity within the set come from different hashes of the client key, and a
// zone's limit_req and limit_conn entries from different hashes of its name.
const setSeed = 0x85ebca6b;
const keySeed = 0x9e3779b1;
const rateZoneSeed = 0x27d4eb2f;
const connectionZoneSeed = 0x165667b1;

/** 2^15 sets × 8 slots = 262 144 entries in 10 MiB (pages are only resident once used). */
export const defaultBucketSets = 1 << 15;

export function createBucketMemory(sets = defaultBucketSets): SharedArrayBuffer {
  if (sets < 1 || (sets & (sets - 1)) !== 0) throw new RangeError('sets must be a power of two');
  return new SharedArrayBuffer(sets * int32sPerSet * 4);
}

/** The state of one slot, read under the set's lock, in leaky-bucket.ts's shape. */
class SlotView implements BucketState {
  excess = 0;
  last = 0;
}

export class SharedBuckets {
  readonly #ints: Int32Array;
  readonly #floats: Float64Array;
  readonly #setMask: number;
  // Scratch state reused by every call (a call runs to completion on its thread before the next starts).
  readonly #view = new SlotView();
  readonly #found = new Int32Array(8);
  readonly #zoneHashes = new Int32Array(8);

  constructor(memory: SharedArrayBuffer) {
    this.#ints = new Int32Array(memory);
    this.#floats = new Float64Array(memory);
    this.#setMask = memory.byteLength / (int32sPerSet * 4) - 1;
  }

  /** Entries in use (for tests and diagnostics; walks the whole table, never on the request path). */
  get size(): number {
    let used = 0;
    for (let set = 0; set <= this.#setMask; set++) {
      for (let s = 0; s < slotsPerSet; s++) if (this.#ints[slotBase(set, s) + kindField] !== emptyKind) used++;
    }
    return used;
  }

  /**
   * limit_req for every rate of a route (rps, rpm): admitted only if all admit, and only then is any charged.
   * Returns -1 when admitted, else the milliseconds until the refusing zones would admit (for Retry-After).
   */
  admitRequests(limits: readonly RequestRateLimit[], key: string, now: number): number {
    const keyHash = hashString(key, keySeed);
    const set = hashString(key, setSeed) & this.#setMask;
    const found = this.#found;
    const zoneHashes = this.#zoneHashes;
    const count = Math.min(limits.length, found.length);
    // Hashed once, before the lock: the critical section is only the table's arithmetic.
    for (let i = 0; i < count; i++) zoneHashes[i] = hashString(limits[i]!.zone, rateZoneSeed);
    this.#lock(set);
    try {
      let refusedFor = -1;
      for (let i = 0; i < count; i++) {
        const limit = limits[i]!;
        const slot = this.#find(set, zoneHashes[i]!, keyHash, rateKind);
        found[i] = slot;
        const state = slot < 0 ? undefined : this.#read(slot);
        if (admitExcess(state, now, limit.rate, limit.burst) >= 0) continue;
        refusedFor = Math.max(refusedFor, msUntilAdmitted(state!, now, limit.rate, limit.burst));
      }
      if (refusedFor >= 0) return refusedFor;
      for (let i = 0; i < count; i++) {
        const limit = limits[i]!;
        let slot = found[i]!;
        const state = slot < 0 ? undefined : this.#read(slot);
        const excess = admitExcess(state, now, limit.rate, limit.burst);
        if (slot < 0) {
          slot = this.#claim(set, zoneHashes[i]!, keyHash, rateKind, now, found, i);
          found[i] = slot;
          this.#write(slot, excess, now, limit.rate);
        } else {
          commit(state!, excess, now);
          this.#write(slot, state!.excess, state!.last, limit.rate);
        }
      }
      return -1;
    } finally {
      this.#unlock(set);
    }
  }

  /**
   * limit_conn: one more request in progress for `key` in `zone`, unless `limit` are already. Returns whether it
   * was admitted; an admitted request must call releaseConnection once when it ends.
   */
  acquireConnection(zone: string, limit: number, key: string, now: number): boolean {
    const keyHash = hashString(key, keySeed);
    const set = hashString(key, setSeed) & this.#setMask;
    const zoneHash = hashString(zone, connectionZoneSeed);
    this.#lock(set);
    try {
      let slot = this.#find(set, zoneHash, keyHash, connectionKind);
      if (slot < 0) slot = this.#claim(set, zoneHash, keyHash, connectionKind, now, this.#found, 0);
      const inProgress = this.#ints[slot + excessField]!;
      if (inProgress >= limit) return false;
      this.#ints[slot + excessField] = inProgress + 1;
      this.#floats[(slot + 6) >> 1] = now;
      return true;
    } finally {
      this.#unlock(set);
    }
  }

  releaseConnection(zone: string, key: string, now: number): void {
    const keyHash = hashString(key, keySeed);
    const set = hashString(key, setSeed) & this.#setMask;
    const zoneHash = hashString(zone, connectionZoneSeed);
    this.#lock(set);
    try {
      const slot = this.#find(set, zoneHash, keyHash, connectionKind);
      // Gone only if the set overflowed with requests in progress (#claim's last resort): nothing to release.
      if (slot < 0) return;
      const left = this.#ints[slot + excessField]! - 1;
      this.#ints[slot + excessField] = left < 0 ? 0 : left;
      this.#floats[(slot + 6) >> 1] = now;
    } finally {
      this.#unlock(set);
    }
  }

  /** The limit_req state of `key` in `zone` (tests): undefined when the node has no entry for it. */
  stateOf(zone: string, key: string): BucketState | undefined {
    const set = hashString(key, setSeed) & this.#setMask;
    const zoneHash = hashString(zone, rateZoneSeed);
    const keyHash = hashString(key, keySeed);
    this.#lock(set);
    try {
      const slot = this.#find(set, zoneHash, keyHash, rateKind);
      return slot < 0 ? undefined : { ...this.#read(slot) };
    } finally {
      this.#unlock(set);
    }
  }

  #find(set: number, zoneHash: number, keyHash: number, kind: number): number {
    const ints = this.#ints;
    for (let s = 0; s < slotsPerSet; s++) {
      const slot = slotBase(set, s);
      if (ints[slot + kindField] === kind && ints[slot + zoneField] === zoneHash && ints[slot + keyField] === keyHash) return slot;
    }
    return -1;
  }

  /**
   * A slot for a new entry: an empty one; else one nginx would expire (idle ≥ 60 s and drained, or a connection
   * count at 0), the least recently used first; else the least recently used entry that has no request in
   * progress; as a last resort the least recently used of all. Slots in `keep[0..keepCount)` (this request's own
   * other zones) are never taken.
   */
  #claim(set: number, zoneHash: number, keyHash: number, kind: number, now: number, keep: Int32Array, keepCount: number): number {
    const ints = this.#ints;
    let idle = -1;
    let idleLast = Infinity;
    let unbusy = -1;
    let unbusyLast = Infinity;
    let any = -1;
    let anyLast = Infinity;
    for (let s = 0; s < slotsPerSet; s++) {
      const slot = slotBase(set, s);
      if (isKept(slot, keep, keepCount)) continue;
      const slotKind = ints[slot + kindField];
      if (slotKind === emptyKind) return this.#initialise(slot, zoneHash, keyHash, kind);
      const last = this.#floats[(slot + 6) >> 1]!;
      if (last < anyLast) (any = slot), (anyLast = last);
      const inProgress = slotKind === connectionKind && ints[slot + excessField]! > 0;
      if (inProgress) continue;
      if (last < unbusyLast) (unbusy = slot), (unbusyLast = last);
      const drained = slotKind === connectionKind || isExpired(this.#read(slot), now, ints[slot + rateField]!);
      if (drained && last < idleLast) (idle = slot), (idleLast = last);
    }
    const victim = idle >= 0 ? idle : unbusy >= 0 ? unbusy : any;
    return this.#initialise(victim, zoneHash, keyHash, kind);
  }

  #initialise(slot: number, zoneHash: number, keyHash: number, kind: number): number {
    const ints = this.#ints;
    ints[slot + zoneField] = zoneHash;
    ints[slot + keyField] = keyHash;
    ints[slot + excessField] = 0;
    ints[slot + rateField] = 0;
    ints[slot + kindField] = kind;
    return slot;
  }

  #read(slot: number): SlotView {
    const view = this.#view;
    view.excess = this.#ints[slot + excessField]!;
    view.last = this.#floats[(slot + 6) >> 1]!;
    return view;
  }

  #write(slot: number, excess: number, last: number, rate: number): void {
    this.#ints[slot + excessField] = excess;
    this.#ints[slot + rateField] = rate;
    this.#floats[(slot + 6) >> 1] = last;
  }

  /**
   * A spin lock: the critical sections are a few hundred nanoseconds of arithmetic, far shorter than a futex
   * round trip. A holder descheduled by the OS (more threads than cores) is waited for in 0.1 ms naps rather
   * than burning the waiter's time slice.
   */
  #lock(set: number): void {
    const index = set * int32sPerSet;
    let spins = 0;
    while (Atomics.compareExchange(this.#ints, index, 0, 1) !== 0) {
      if (++spins > 256) Atomics.wait(this.#ints, index, 1, 0.1);
    }
  }

  #unlock(set: number): void {
    Atomics.store(this.#ints, set * int32sPerSet, 0);
  }
}

function slotBase(set: number, s: number): number {
  return set * int32sPerSet + lockInt32s + s * int32sPerSlot;
}

function isKept(slot: number, keep: Int32Array, keepCount: number): boolean {
  for (let i = 0; i < keepCount; i++) if (keep[i] === slot) return true;
  return false;
}

/**
 * A 32-bit hash of a string (murmur-style mixing of UTF-16 code units). Two seeds give the set index and the
 * identity within the set, so two clients share an entry only if both 32-bit hashes and the set collide.
 */
function hashString(text: string, seed: number): number {
  let h = seed ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0x5bd1e995);
  return h ^ (h >>> 15);
}
