// Which manifest files need reading again. Every rebuild starts from all files (build-update.ts), but a file
// whose identity, size and times are what they were when it was last read need not be read and compared again:
// with bench/'s 6.3 MiB manifest of 10 000 Ingresses, each rebuild read and decoded it (≈13 MB of short-lived
// buffer and string in the primary's young generation per change, scavenged on the core the workers serve on).
//
// Git's "racy git" rule keeps this safe: file times have a granularity (a few ms on Linux, 2 s on FAT), so two
// writes of the same size within one tick leave an identical stamp. A stamp is trusted only once the file's
// mtime was already older than the racy window when it was read; until then the file is read every time.
import { stat } from 'node:fs/promises';

/** Comfortably above any file-time granularity (FAT's 2 s included). */
const racyWindowNs = 3_000_000_000n;

interface Stamp {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

export class FileStamps {
  /** Per path: the stamp of the content last read, when it can be trusted. */
  #settled = new Map<string, Stamp>();

  /** The file's stamp now (taken BEFORE reading it), or null when it cannot be taken. */
  async take(file: string): Promise<Stamp | null> {
    try {
      const { dev, ino, size, mtimeNs, ctimeNs } = await stat(file, { bigint: true });
      return { dev, ino, size, mtimeNs, ctimeNs };
    } catch {
      return null; // the read that follows reports why
    }
  }

  /** Whether the file still holds what was read when `stamp` was remembered. */
  unchanged(file: string, stamp: Stamp | null): boolean {
    const settled = this.#settled.get(file);
    return stamp !== null && settled !== undefined && sameStamp(settled, stamp);
  }

  /** After reading `file`: remember the stamp taken before the read, if it is old enough to trust. */
  remember(file: string, stamp: Stamp | null): void {
    // File times are wall-clock times: compared with the wall clock (ms precision is plenty against a 3 s window).
    const now = BigInt(Date.now()) * 1_000_000n;
    if (stamp !== null && now - stamp.mtimeNs > racyWindowNs && now - stamp.ctimeNs > racyWindowNs) this.#settled.set(file, stamp);
    else this.#settled.delete(file);
  }

  /** Forgets every file not in `files` (deleted, or no longer listed). */
  keepOnly(files: ReadonlySet<string>): void {
    for (const file of this.#settled.keys()) if (!files.has(file)) this.#settled.delete(file);
  }
}

function sameStamp(a: Stamp, b: Stamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}
