import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

// Which files under a manifest directory are read. Dotfiles and dot-directories are skipped: editors' swap and
// lock files (.x.yaml.swp, .#x.yaml) and, importantly, the `..data` / `..2024_…` directories through which the
// kubelet publishes a mounted ConfigMap; reading those as well would define every object twice. Backup and temp
// names (x.yaml~, #x.yaml#, x.yaml.tmp) fail the extension test.

const manifestName = /\.(ya?ml|json)$/i;

export function isManifestName(name: string): boolean {
  return !name.startsWith('.') && manifestName.test(name);
}

export interface Listing {
  /** Manifest files, sorted by path (plain code-unit order: deterministic across locales). */
  readonly files: string[];
  /** Directories that could not be listed; the caller keeps the last good state of files under them. */
  readonly unreadable: { readonly dir: string; readonly message: string }[];
  /** Every directory that was listed, the root included (what the source watches). */
  readonly directories: string[];
}

export function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** Recursively lists `root`. Symlinked files are followed (ConfigMap mounts), symlinked directories are not (loops). */
export async function listManifestFiles(root: string): Promise<Listing> {
  const listing: Listing = { files: [], unreadable: [], directories: [] };
  await walk(root, listing, true);
  listing.files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return listing;
}

async function walk(dir: string, listing: Listing, isRoot = false): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err: unknown) {
    // A subdirectory removed while we walk is simply gone; anything else (the root gone included) must not
    // look like a deletion of the files under it.
    if (isRoot || errorCode(err) !== 'ENOENT') listing.unreadable.push({ dir, message: describeError(err) });
    return;
  }
  listing.directories.push(dir);
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, listing);
    else if (isManifestName(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && (await isFile(path))))) {
      listing.files.push(path);
    }
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false; // a dangling link is not a manifest
  }
}

export function describeError(err: unknown): string {
  const code = errorCode(err);
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? (err instanceof Error ? err.message : String(err));
}
